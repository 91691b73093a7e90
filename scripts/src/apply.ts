import { booleanFlag, command } from '@streamdrop/cli-kit';
import { findRepoRoot } from './lib/paths';
import { planAndApply } from './lib/stack';
import { stackArgs, stackFlags } from './lib/stack-flags';

command(
  {
    usage: 'pnpm stack:deploy [--auto-approve] [--stage <name>] [--no-build]',
    summary:
      'Synthesizes, plans to a file, shows the plan, asks for confirmation, then applies exactly that saved plan.',
    flags: {
      'auto-approve': {
        type: 'boolean',
        description: 'apply without asking (CI); without it a terminal is required',
      },
      ...stackFlags('deploy'),
    },
    notes: ['Uses your AWS credentials. To try the stack without an account, run `pnpm plan:offline`.'],
  },
  (args) =>
    planAndApply({
      root: findRepoRoot(),
      ...stackArgs(args),
      destroy: false,
      autoApprove: booleanFlag(args, 'auto-approve'),
    }),
);
