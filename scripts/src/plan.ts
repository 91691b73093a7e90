import { parseCli, run } from './lib/cli';
import { findRepoRoot } from './lib/paths';
import { initStack, planToFile, prepareStack } from './lib/stack';

const spec = {
  usage: 'pnpm plan [--offline] [--stage <name>] [--no-build]',
  summary:
    'Synthesizes the stack, runs terraform init and plan, prints the plan and saves it to cdktf.out/stacks/<stack>/plan.tfplan.',
  flags: {
    offline: {
      type: 'boolean',
      description: 'plan without an AWS account: fake credentials, no account lookups, throwaway local state',
    },
    stage: { type: 'string', description: 'stage to plan (sets STREAMDROP_STAGE; default dev)' },
    'no-build': { type: 'boolean', description: 'reuse dist/functions instead of rebuilding the bundles' },
  },
  notes: [
    'Without --offline, terraform uses your AWS credentials (AWS_PROFILE, AWS_ACCESS_KEY_ID, SSO, ...).',
    'Provider mirror: STREAMDROP_TF_MIRROR, else the first of /opt/tf-plugins, ~/.terraform.d/plugins,',
    '~/.local/share/terraform/plugins, /usr/local/share/terraform/plugins, /usr/share/terraform/plugins',
    'that holds hashicorp/aws at the pinned version; with none, providers are downloaded.',
  ],
} as const;

run(async () => {
  const args = parseCli(process.argv.slice(2), spec);
  if (args.help) {
    console.log(args.text);
    return 0;
  }
  const started = performance.now();
  const stack = await prepareStack({
    root: findRepoRoot(),
    offline: args.flags.offline === true,
    stage: typeof args.flags.stage === 'string' ? args.flags.stage : undefined,
    build: args.flags['no-build'] !== true,
  });
  await initStack(stack);
  const plan = await planToFile(stack);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    plan.changes
      ? `plan of ${stack.stackName} saved to ${plan.planFile} (${seconds} s)`
      : `${stack.stackName} is up to date (${seconds} s)`,
  );
  return 0;
});
