// The app that cdktf-cli runs (cdktf.json "app"), through /bin/sh with nothing but Node needed:
// `node --import tsx scripts/src/app.ts`. It does what `pnpm synth` does: bundles the functions,
// synthesizes one stack per stage into CDKTF_OUTDIR (cdktf sets it from cdktf.json's "output"),
// prepares every stack folder (no stale *_override.tf.json, the committed lock file), and writes
// .state/terraformrc for TF_CLI_CONFIG_FILE. Quiet unless something fails: cdktf shows the app's
// output only then.
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '@streamdrop/cli-kit';
import { findRepoRoot } from './lib/paths';
import { synthesize, writeCliConfig } from './lib/stack';

try {
  const root = findRepoRoot(dirname(fileURLToPath(import.meta.url)));
  const result = await synthesize({ root, env: process.env, build: true, verbose: false });
  writeCliConfig(root, result);
} catch (error) {
  console.error(error instanceof UserError ? `error: ${error.message}` : error);
  process.exit(error instanceof UserError ? 2 : 1);
}
