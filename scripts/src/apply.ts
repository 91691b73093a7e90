import { parseCli, run } from './lib/cli';
import { findRepoRoot } from './lib/paths';
import { applyPlan, confirm, initStack, planToFile, prepareStack } from './lib/stack';

const spec = {
  usage: 'pnpm stack:deploy [--auto-approve] [--stage <name>] [--no-build]',
  summary:
    'Synthesizes, plans to a file, shows the plan, asks for confirmation, then applies exactly that saved plan.',
  flags: {
    'auto-approve': {
      type: 'boolean',
      description: 'apply without asking (CI); without it a terminal is required',
    },
    stage: { type: 'string', description: 'stage to deploy (sets STREAMDROP_STAGE; default dev)' },
    'no-build': { type: 'boolean', description: 'reuse dist/functions instead of rebuilding the bundles' },
  },
  notes: ['Uses your AWS credentials. To try the stack without an account, run `pnpm plan:offline`.'],
} as const;

run(async () => {
  const args = parseCli(process.argv.slice(2), spec);
  if (args.help) {
    console.log(args.text);
    return 0;
  }
  const stack = await prepareStack({
    root: findRepoRoot(),
    offline: false,
    stage: typeof args.flags.stage === 'string' ? args.flags.stage : undefined,
    build: args.flags['no-build'] !== true,
  });
  await initStack(stack);
  const plan = await planToFile(stack);
  if (!plan.changes) {
    console.log(`${stack.stackName} is up to date; nothing to apply.`);
    return 0;
  }
  if (
    !(await confirm(`Apply this plan to ${stack.stackName}?`, {
      autoApprove: args.flags['auto-approve'] === true,
    }))
  ) {
    console.log('Not applied.');
    return 1;
  }
  await applyPlan(stack, plan.planFile);
  return 0;
});
