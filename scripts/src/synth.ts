import { relative } from 'node:path';
import { command } from '@streamdrop/cli-kit';
import { findRepoRoot } from './lib/paths';
import { synthesize, withStage, writeCliConfig } from './lib/stack';
import { stackArgs, stackFlags } from './lib/stack-flags';

command(
  {
    usage: 'pnpm synth [--stage <name>] [--no-build]',
    summary:
      'Bundles the functions and the web page, then runs the CDKTF app (infra/src/main.ts) with tsx: one stack per stage of STREAMDROP_STAGES. Prints where each cdk.tf.json was written. The same as `npx cdktf synth`.',
    flags: stackFlags('synthesize'),
    notes: [
      'The bundles are rebuilt on every synth (esbuild takes about a second) so that a plan never zips stale code.',
      'Each stack folder gets the committed infra/.terraform.lock.hcl, and loses any *_override.tf.json left there.',
      'Also writes .state/terraformrc, the Terraform CLI config (provider mirror) for TF_CLI_CONFIG_FILE.',
      'Configuration comes from the environment: STREAMDROP_* and AWS_REGION (every variable: docs/configuration.md).',
    ],
  },
  async (args) => {
    const started = performance.now();
    const { stage, build } = stackArgs(args);
    const root = findRepoRoot();
    const result = await synthesize({ root, env: withStage(process.env, stage), build });
    writeCliConfig(root, result);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    for (const stack of result.stacks) {
      console.log(
        `${relative(process.cwd(), stack.stackFile) || stack.stackFile}  (stack ${stack.stackName}, ${seconds} s)`,
      );
    }
    return 0;
  },
);
