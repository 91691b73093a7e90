import { booleanFlag, command, stringFlag } from '@streamdrop/cli-kit';
import { findRepoRoot } from './lib/paths';
import { endpointOf, planAndApply } from './lib/stack';
import { endpointFlag, stackArgs, stackFlags } from './lib/stack-flags';

command(
  {
    usage: 'pnpm stack:destroy [--auto-approve] [--endpoint-url <url>] [--stage <name>] [--no-build]',
    summary:
      'Plans the destruction of the whole stack to a file, shows it, asks for confirmation, then applies it.',
    flags: {
      'auto-approve': {
        type: 'boolean',
        description: 'destroy without asking (CI); without it a terminal is required',
      },
      ...endpointFlag,
      ...stackFlags('destroy'),
    },
    notes: [
      'The user pool has deletion protection and buckets keep their objects by default: deploy once with',
      'STREAMDROP_DELETION_PROTECTION=false STREAMDROP_FORCE_DESTROY=true before destroying a stage for good.',
    ],
  },
  (args) =>
    planAndApply({
      root: findRepoRoot(),
      ...stackArgs(args),
      destroy: true,
      autoApprove: booleanFlag(args, 'auto-approve'),
      endpoint: endpointOf(stringFlag(args, 'endpoint-url')),
    }),
);
