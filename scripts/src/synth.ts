import { relative } from 'node:path';
import { command } from '@streamdrop/cli-kit';
import { findRepoRoot } from './lib/paths';
import { synthesize, withStage } from './lib/stack';
import { stackArgs, stackFlags } from './lib/stack-flags';

command(
  {
    usage: 'pnpm synth [--stage <name>] [--no-build]',
    summary:
      'Bundles the functions, then runs the CDKTF app (infra/src/main.ts) with tsx and prints where cdk.tf.json was written. No cdktf-cli needed.',
    flags: stackFlags('synthesize'),
    notes: [
      'The bundles are rebuilt on every synth (esbuild takes about a second) so that a plan never zips stale code.',
      'Configuration comes from the environment: STREAMDROP_* and AWS_REGION (every variable: docs/configuration.md).',
    ],
  },
  async (args) => {
    const started = performance.now();
    const { stage, build } = stackArgs(args);
    const result = await synthesize({ root: findRepoRoot(), env: withStage(process.env, stage), build });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(
      `${relative(process.cwd(), result.stackFile) || result.stackFile}  (stack ${result.stackName}, ${seconds} s)`,
    );
    return 0;
  },
);
