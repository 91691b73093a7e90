import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { envReader, stackName } from '@streamdrop/config';

/** The local tools' variables, read when asked for (a test may set them late). */
const env = () => envReader(process.env);

/**
 * The repository root: STREAMDROP_ROOT, or the nearest folder above `start` holding
 * pnpm-workspace.yaml. Found by walking up because this code runs both as ESM (tsx) and as
 * CommonJS (jest), where neither import.meta nor __dirname is available in both.
 */
export function repoRoot(start = process.cwd()): string {
  const root = env().optional('STREAMDROP_ROOT');
  if (root) return resolve(root);
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error(`No pnpm-workspace.yaml above ${start}: run this from the streamdrop repository.`);
    dir = parent;
  }
}

export const localPackageDir = (root = repoRoot()) => join(root, 'packages', 'local');

/** The state folder of the local stack: objects, stream records, checkpoints, users. */
export const defaultStateDir = (root = repoRoot()) =>
  resolve(env().optional('STREAMDROP_STATE_DIR') ?? join(root, '.streamdrop'));

export const defaultStage = () => env().optional('STREAMDROP_STAGE') ?? 'dev';

/** cdktf.out/stacks/streamdrop-<stage>/cdk.tf.json */
export const defaultStackFile = (root = repoRoot(), stage = defaultStage()) =>
  join(root, 'cdktf.out', 'stacks', stackName(stage), 'cdk.tf.json');

/** The built web client: STREAMDROP_WEB_DIR (as for the stack), else dist/web (`pnpm build` writes it). */
export const defaultWebDir = (root = repoRoot()) =>
  resolve(root, env().optional('STREAMDROP_WEB_DIR') ?? join('dist', 'web'));
