import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize, sep } from 'node:path';
import { unzipSync } from 'fflate';
import { StackError } from '../errors';

/**
 * Unpacks the zip Terraform would upload into `<cacheDir>/<sha256 of the zip>/` (once per
 * content) and returns that folder, so the local runtime runs the very bytes that deploy.
 */
export function extractArchive(archivePath: string, cacheDir: string): string {
  if (!existsSync(archivePath)) {
    throw new StackError(
      `Function archive ${archivePath} is missing: run \`pnpm build && pnpm synth\` (or \`npm start\`).`,
    );
  }
  const zip = readFileSync(archivePath);
  const digest = createHash('sha256').update(zip).digest('hex').slice(0, 16);
  const target = join(cacheDir, digest);
  if (existsSync(target)) return target;
  const staging = `${target}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  for (const [name, bytes] of Object.entries(unzipSync(new Uint8Array(zip)))) {
    if (name.endsWith('/')) continue;
    const path = normalize(join(staging, name));
    if (!path.startsWith(staging + sep))
      throw new StackError(`Archive ${archivePath} has an unsafe entry: ${name}`);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, bytes);
  }
  mkdirSync(cacheDir, { recursive: true });
  renameSync(staging, target);
  return target;
}
