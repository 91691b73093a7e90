import { join, resolve } from 'node:path';
import { envReader } from '@streamdrop/config';
import { repoRoot } from '@streamdrop/local';

/** The workspace root (STREAMDROP_ROOT, or the nearest folder above holding pnpm-workspace.yaml). */
export { repoRoot } from '@streamdrop/local';

export const benchDir = () => join(repoRoot(), 'bench');
/** Scratch output of the bench (baseline bundles, generated files); git-ignored with results/. */
export const scratchDir = () => join(benchDir(), 'results', '.work');
export const workerPath = (name: string) => join(benchDir(), 'workers', name);
/** The deployed bundle of a function, as `pnpm build` (and `pnpm synth`) write it. */
export const productionBundle = (name: string) =>
  resolve(
    envReader(process.env).optional('STREAMDROP_BUNDLES_DIR') ?? join(repoRoot(), 'dist', 'functions'),
    name,
    'index.mjs',
  );
