import {
  type Args,
  booleanFlag,
  type Flags,
  type ProgramSpec,
  pathFlag,
  program,
  resolveCallerPath,
  stringFlag,
} from '@streamdrop/cli-kit';
import { get, upload } from './commands/api';
import { failuresList, failuresRedrive, failuresShow } from './commands/failures';
import { replayCommand } from './commands/replay';
import { statsCommand } from './commands/stats';
import { token } from './commands/token';
import { deleteCommand, downloadCommand, listCommand, statusCommand } from './commands/uploads';
import { STREAMDROP_RUN } from './options';
import { recoveryTargetFrom, type TargetFlags, targetFrom } from './targets';

// Paths are resolved once, against the folder the command was typed in.
const targetFlags = (args: Args): TargetFlags => ({
  outputs: pathFlag(args, 'outputs'),
  'state-dir': pathFlag(args, 'state-dir', 'STREAMDROP_STATE_DIR'),
  username: stringFlag(args, 'username'),
  password: stringFlag(args, 'password'),
});

/** Who the uploads commands act as. */
const caller = (args: Args) => ({
  target: targetFrom(targetFlags(args)),
  ...(stringFlag(args, 'user') !== undefined && { user: stringFlag(args, 'user') as string }),
  access: booleanFlag(args, 'access'),
});

const USER: Flags = {
  user: { type: 'string', value: 'demo|admin', description: 'whose token (default demo)' },
  access: { type: 'boolean', description: 'the access token instead of the ID token' },
};
const JSON_FLAG: Flags = { json: { type: 'boolean', description: 'print the counts as JSON' } };

const STREAMDROP: ProgramSpec = {
  name: 'pnpm streamdrop',
  commands: {
    token: {
      synopsis: 'token [--user demo|admin] [--id|--access]',
      summary: 'print a JWT for a user (default: demo, ID token)',
      flags: { ...USER, id: { type: 'boolean', description: 'the ID token (the default)' } },
      run: async (args) => {
        const target = targetFrom(targetFlags(args));
        process.stdout.write(
          `${await token(target, stringFlag(args, 'user'), booleanFlag(args, 'access'))}\n`,
        );
        return 0;
      },
    },
    upload: {
      synopsis: ['upload <file> [--wait]', 'upload --name NAME --content TEXT [--wait]'],
      summary:
        'upload a file (up to 4 MiB inline: text as utf8, anything else as base64; larger, straight to S3 ' +
        'in parallel parts with a progress bar), or TEXT as NAME, as --user demo|admin (with --access: its ' +
        'access token); --wait waits for the processed object',
      flags: {
        name: { type: 'string', value: 'NAME', description: 'the file name to upload as' },
        content: { type: 'string', value: 'TEXT', description: 'the text to upload' },
        ...USER,
        wait: { type: 'boolean', description: 'wait for the processed object and print it' },
      },
      positionals: { max: 1 },
      run: async (args) => {
        await upload(targetFrom(targetFlags(args)), {
          file: args.positionals[0] === undefined ? undefined : resolveCallerPath(args.positionals[0]),
          name: stringFlag(args, 'name'),
          content: stringFlag(args, 'content'),
          user: stringFlag(args, 'user'),
          access: booleanFlag(args, 'access'),
          wait: booleanFlag(args, 'wait'),
        });
        return 0;
      },
    },
    list: {
      synopsis: 'list [--limit N] [--cursor C] [--json]',
      summary: "the user's uploads, newest first, with their status",
      flags: {
        limit: { type: 'string', value: 'N', description: 'uploads per page, 1-100 (default 20)' },
        cursor: { type: 'string', value: 'C', description: 'the page after the one that printed it' },
        ...USER,
        json: { type: 'boolean', description: 'print the page as JSON' },
      },
      run: async (args) => {
        const limit = stringFlag(args, 'limit');
        await listCommand(caller(args), {
          ...(limit !== undefined && { limit: Number(limit) }),
          ...(stringFlag(args, 'cursor') !== undefined && { cursor: stringFlag(args, 'cursor') as string }),
          json: booleanFlag(args, 'json'),
        });
        return 0;
      },
    },
    status: {
      synopsis: 'status <id>',
      summary: 'one upload: its status, the processed object and a link to download it, or why it failed',
      flags: { ...USER },
      positionals: { max: 1 },
      run: async (args) => {
        await statusCommand(caller(args), args.positionals[0]);
        return 0;
      },
    },
    download: {
      synopsis: 'download <id> [-o FILE]',
      summary: 'the processed object of an upload, to FILE (default: standard output)',
      flags: {
        output: { type: 'string', short: 'o', value: 'FILE', description: 'where to write it' },
        ...USER,
      },
      positionals: { max: 1 },
      run: async (args) => {
        await downloadCommand(caller(args), args.positionals[0], stringFlag(args, 'output'));
        return 0;
      },
    },
    delete: {
      synopsis: 'delete <id>',
      summary: 'an upload, its processed object and its status',
      flags: { ...USER },
      positionals: { max: 1 },
      run: async (args) => {
        await deleteCommand(caller(args), args.positionals[0]);
        return 0;
      },
    },
    get: {
      synopsis: 'get <key>',
      summary: 'print an object of the data bucket (e.g. processed/...)',
      positionals: { max: 1 },
      run: async (args) => {
        await get(targetFrom(targetFlags(args)), args.positionals[0]);
        return 0;
      },
    },
    failures: {
      commands: {
        list: {
          synopsis: 'list',
          summary:
            'list the failures (processor failure records and on-failure destination records) with their reason',
          run: async (args) => {
            await failuresList(recoveryTargetFrom(targetFlags(args)));
            return 0;
          },
        },
        show: {
          synopsis: 'show <id>',
          summary:
            'print one failure, its records decoded (<id>: the key from `failures list`, or a unique part of it)',
          positionals: { max: 1 },
          run: async (args) => {
            await failuresShow(recoveryTargetFrom(targetFlags(args)), args.positionals[0]);
            return 0;
          },
        },
        redrive: {
          synopsis: 'redrive <id>... | --all [--force] [--json]',
          summary:
            'put the failed records back on the stream (original data and partition key), then delete ' +
            'each failure; records that are not upload events are refused unless --force',
          flags: {
            all: { type: 'boolean', description: 'every failure in the bucket' },
            force: { type: 'boolean', description: 'also re-publish records that are not upload events' },
            ...JSON_FLAG,
          },
          positionals: true,
          run: (args) =>
            failuresRedrive(recoveryTargetFrom(targetFlags(args)), [...args.positionals], {
              all: booleanFlag(args, 'all'),
              force: booleanFlag(args, 'force'),
              json: booleanFlag(args, 'json'),
            }),
        },
      },
    },
    replay: {
      synopsis: 'replay --from ISO [--to ISO] [--json]',
      summary:
        're-publish every upload event the stream holds from that window (AT_TIMESTAMP, every shard); ' +
        'the processor skips what is already processed',
      flags: {
        from: { type: 'string', value: 'ISO', description: 'start of the window, e.g. 2026-11-21T10:00:00Z' },
        to: { type: 'string', value: 'ISO', description: 'end of the window (default and at most: now)' },
        ...JSON_FLAG,
      },
      run: async (args) => {
        await replayCommand(() => recoveryTargetFrom(targetFlags(args)), {
          from: stringFlag(args, 'from'),
          to: stringFlag(args, 'to'),
          json: booleanFlag(args, 'json'),
          local: stringFlag(args, 'outputs') === undefined,
        });
        return 0;
      },
    },
    stats: {
      synopsis: 'stats [--json]',
      summary:
        'the local stack: uploads, records processed/skipped/failed/retried, latency percentiles, iterator ' +
        'age per shard, function and API counts, and the state of every alarm of the stack (ALARM/OK)',
      flags: { json: { type: 'boolean', description: 'print the stats as JSON' } },
      run: async (args) =>
        statsCommand({
          'state-dir': stringFlag(args, 'state-dir'),
          outputs: stringFlag(args, 'outputs'),
          json: booleanFlag(args, 'json'),
        }),
    },
  },
  shared: {
    heading: 'Target',
    intro: ['the running local stack (found through .streamdrop/local.json; start it with `npm start`), or'],
    flags: {
      outputs: {
        type: 'string',
        value: 'FILE',
        description:
          'a deployed stack: FILE is `terraform output -json` of it; credentials for token/upload come ' +
          'from --username/--password, S3 and Kinesis access (failures, replay) from your usual AWS credentials',
      },
      username: {
        type: 'string',
        value: 'NAME',
        description: 'with --outputs: the user to sign in as',
        env: 'STREAMDROP_USERNAME',
      },
      password: {
        type: 'string',
        value: 'PASSWORD',
        description: "with --outputs: that user's password",
        env: 'STREAMDROP_PASSWORD',
      },
      'state-dir': {
        type: 'string',
        value: 'DIR',
        description: 'where the local stack keeps local.json',
        default: '.streamdrop',
        env: 'STREAMDROP_STATE_DIR',
      },
    },
  },
};

// The SDK warns that its releases after January 2027 need Node 22; the versions pinned here
// run on Node 20, and the notice would otherwise open every command's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

program(STREAMDROP, process.argv.slice(2), {
  ...STREAMDROP_RUN,
  // An AWS service's answer (access denied, no such bucket) says enough in one line.
  describe: (error) => (error instanceof Error ? `${error.message} (${error.name ?? 'Error'})` : undefined),
});
