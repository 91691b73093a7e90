/** The workspace's packages, as other packages and tools resolve them. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findRepoRoot } from '../src/lib/paths';

const root = findRepoRoot(__dirname);

/** Every package folder pnpm-workspace.yaml names (`dir/*` or `dir`). */
function workspacePackages(): string[] {
  const yaml = readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8');
  // The list under `packages:`, up to the next top-level key or blank line.
  const list = /^packages:\n((?:\s+-\s+\S+\n)+)/m.exec(yaml)?.[1] ?? '';
  const globs = [...list.matchAll(/-\s+(\S+)/g)].map((m) => m[1] ?? '');
  return globs.flatMap((glob) =>
    glob.endsWith('/*')
      ? readdirSync(join(root, glob.slice(0, -2)), { withFileTypes: true })
          .filter((d) => d.isDirectory() && existsSync(join(root, glob.slice(0, -2), d.name, 'package.json')))
          .map((d) => join(glob.slice(0, -2), d.name))
      : [glob],
  );
}

/** Every path an `exports` field names, through nested conditions. */
function exportTargets(exports: unknown): string[] {
  if (typeof exports === 'string') return [exports];
  if (exports && typeof exports === 'object') return Object.values(exports).flatMap(exportTargets);
  return [];
}

describe('the workspace', () => {
  const packages = workspacePackages();

  it('is read from pnpm-workspace.yaml (libraries, functions, infra, scripts, bench and web)', () => {
    expect(packages).toEqual(
      expect.arrayContaining(['packages/config', 'packages/local', 'functions/upload', 'infra', 'web']),
    );
  });

  it.each(packages)('%s: every path its exports (and main) name is a real file', (dir) => {
    const manifest = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as {
      exports?: unknown;
      main?: string;
    };
    const targets = [...exportTargets(manifest.exports), ...(manifest.main ? [manifest.main] : [])];
    const missing = targets.filter((target) => !existsSync(join(root, dir, target)));
    expect(missing).toEqual([]);
  });
});
