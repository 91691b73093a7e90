import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The workspace root: the nearest folder above `start` holding pnpm-workspace.yaml. */
export function repoRoot(start = process.cwd()): string {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error(`no pnpm-workspace.yaml above ${start}: run pnpm bench inside the checkout`);
    dir = parent;
  }
}

export const benchDir = () => join(repoRoot(), 'bench');
/** Scratch output of the bench (baseline bundles, generated files); git-ignored with results/. */
export const scratchDir = () => join(benchDir(), 'results', '.work');
export const workerPath = (name: string) => join(benchDir(), 'workers', name);
/** The deployed bundle of a function, as `pnpm build` (and `pnpm synth`) write it. */
export const productionBundle = (name: string) =>
  resolve(process.env.STREAMDROP_BUNDLES_DIR ?? join(repoRoot(), 'dist', 'functions'), name, 'index.mjs');
