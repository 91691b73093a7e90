import { parseCli, run } from './lib/cli';
import { findRepoRoot } from './lib/paths';
import { applyPlan, confirm, initStack, planToFile, prepareStack } from './lib/stack';

const spec = {
  usage: 'pnpm stack:destroy [--auto-approve] [--stage <name>] [--no-build]',
  summary:
    'Plans the destruction of the whole stack to a file, shows it, asks for confirmation, then applies it.',
  flags: {
    'auto-approve': {
      type: 'boolean',
      description: 'destroy without asking (CI); without it a terminal is required',
    },
    stage: { type: 'string', description: 'stage to destroy (sets STREAMDROP_STAGE; default dev)' },
    'no-build': { type: 'boolean', description: 'reuse dist/functions instead of rebuilding the bundles' },
  },
  notes: [
    'The user pool has deletion protection and buckets keep their objects by default: deploy once with',
    'STREAMDROP_DELETION_PROTECTION=false STREAMDROP_FORCE_DESTROY=true before destroying a stage for good.',
  ],
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
  const plan = await planToFile(stack, { destroy: true });
  if (!plan.changes) {
    console.log(`${stack.stackName} has nothing to destroy.`);
    return 0;
  }
  const question = `Destroy every resource of ${stack.stackName} listed above? This cannot be undone.`;
  if (!(await confirm(question, { autoApprove: args.flags['auto-approve'] === true }))) {
    console.log('Nothing destroyed.');
    return 1;
  }
  await applyPlan(stack, plan.planFile);
  return 0;
});
