import { type Args, booleanFlag, type FlagSpec, stringFlag } from '@streamdrop/cli-kit';

/** The flags of every command that synthesizes the stack: `--stage <name>` and `--no-build`. */
export function stackFlags(verb: string) {
  return {
    stage: { type: 'string', description: `stage to ${verb} (default STREAMDROP_STAGE, else dev)` },
    'no-build': { type: 'boolean', description: 'reuse dist/functions instead of rebuilding the bundles' },
  } as const satisfies Record<string, FlagSpec>;
}

/** `--endpoint-url`, for the commands that call AWS APIs. */
export const endpointFlag = {
  'endpoint-url': {
    type: 'string',
    description:
      'call every AWS service at this URL, e.g. an emulator such as moto or LocalStack (default AWS_ENDPOINT_URL)',
  },
} as const satisfies Record<string, FlagSpec>;

/** What `stackFlags` asked for: the stage (undefined keeps STREAMDROP_STAGE) and whether to rebuild. */
export function stackArgs(args: Args): { readonly stage: string | undefined; readonly build: boolean } {
  return { stage: stringFlag(args, 'stage'), build: !booleanFlag(args, 'no-build') };
}
