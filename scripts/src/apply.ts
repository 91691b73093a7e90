import { booleanFlag, command, stringFlag } from '@streamdrop/cli-kit';
import { findRepoRoot } from './lib/paths';
import { endpointOf, planAndApply } from './lib/stack';
import { endpointFlag, stackArgs, stackFlags } from './lib/stack-flags';

command(
  {
    usage: 'pnpm stack:deploy [--auto-approve] [--endpoint-url <url>] [--stage <name>] [--no-build]',
    summary:
      'Synthesizes, plans to a file, shows the plan, asks for confirmation, then applies exactly that saved plan.',
    flags: {
      'auto-approve': {
        type: 'boolean',
        description: 'apply without asking (CI); without it a terminal is required',
      },
      ...endpointFlag,
      ...stackFlags('deploy'),
    },
    notes: [
      'Uses your AWS credentials, and the stack state that `cdktf deploy` uses too. Without an account:',
      '`pnpm plan:offline`, or against an emulator: --endpoint-url http://127.0.0.1:5000 (docs/deploy.md).',
    ],
  },
  (args) =>
    planAndApply({
      root: findRepoRoot(),
      ...stackArgs(args),
      destroy: false,
      autoApprove: booleanFlag(args, 'auto-approve'),
      endpoint: endpointOf(stringFlag(args, 'endpoint-url')),
    }),
);
