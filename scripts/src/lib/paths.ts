import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { UserError } from '@streamdrop/cli-kit';

/** The workspace root: the nearest folder above `start` holding pnpm-workspace.yaml. */
export function findRepoRoot(start: string = process.cwd()): string {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) {
      throw new UserError(
        `no pnpm-workspace.yaml above ${start}: run this from inside the streamdrop checkout`,
      );
    }
    dir = parent;
  }
}

/** Synth output folder; the same rule as infra's config (CDKTF_OUTDIR, else <repo>/cdktf.out). */
export function outdirOf(root: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env.CDKTF_OUTDIR?.trim();
  if (!value) return join(root, 'cdktf.out');
  return isAbsolute(value) ? value : resolve(root, value);
}

/** Per-checkout machine state (local Terraform state, generated CLI config); git-ignored. */
export function stateDirOf(root: string): string {
  return join(root, '.state');
}

/** Function bundles; the same rule as infra's config (STREAMDROP_BUNDLES_DIR, else <repo>/dist/functions). */
export function bundlesDirOf(root: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env.STREAMDROP_BUNDLES_DIR?.trim();
  if (!value) return join(root, 'dist', 'functions');
  return isAbsolute(value) ? value : resolve(root, value);
}

/** Where offline plans synthesize and plan: never cdktf.out, so they cannot leave anything there. */
export function offlineOutdirOf(root: string): string {
  return join(stateDirOf(root), 'offline-plan');
}

/** The committed provider lock file, copied into every synthesized stack folder. */
export function lockFileOf(root: string): string {
  return join(root, 'infra', '.terraform.lock.hcl');
}

/** The built web client; the same rule as infra's config (STREAMDROP_WEB_DIR, else <repo>/dist/web). */
export function webDirOf(root: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env.STREAMDROP_WEB_DIR?.trim();
  if (!value) return join(root, 'dist', 'web');
  return isAbsolute(value) ? value : resolve(root, value);
}
