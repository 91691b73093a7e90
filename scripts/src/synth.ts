import { relative } from 'node:path';
import { parseCli, run } from './lib/cli';
import { findRepoRoot } from './lib/paths';
import { synthesize, withStage } from './lib/stack';

const spec = {
  usage: 'pnpm synth [--stage <name>] [--no-build]',
  summary:
    'Bundles the functions, then runs the CDKTF app (infra/src/main.ts) with tsx and prints where cdk.tf.json was written. No cdktf-cli needed.',
  flags: {
    stage: { type: 'string', description: 'stage to synthesize (sets STREAMDROP_STAGE; default dev)' },
    'no-build': { type: 'boolean', description: 'reuse dist/functions as it is instead of rebuilding it' },
  },
  notes: [
    'The bundles are rebuilt on every synth (esbuild takes about a second) so that a plan never zips stale code.',
    'Configuration comes from the environment: STREAMDROP_* and AWS_REGION (see infra/src/config.ts).',
  ],
} as const;

run(async () => {
  const args = parseCli(process.argv.slice(2), spec);
  if (args.help) {
    console.log(args.text);
    return 0;
  }
  const started = performance.now();
  const root = findRepoRoot();
  const stage = typeof args.flags.stage === 'string' ? args.flags.stage : undefined;
  const result = await synthesize({
    root,
    env: withStage(process.env, stage),
    build: args.flags['no-build'] !== true,
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    `${relative(process.cwd(), result.stackFile) || result.stackFile}  (stack ${result.stackName}, ${seconds} s)`,
  );
  return 0;
});
