import { isAbsolute, relative } from 'node:path';
import { anyFault, faultInjection, faultSettingsFrom } from '@streamdrop/chaos';
import {
  type Args,
  booleanFlag,
  type CommandSpec,
  command,
  escapeControls,
  integerFlag,
  parseInteger,
  pathFlag,
  stringFlag,
} from '@streamdrop/cli-kit';
import { envReader, type VariableName } from '@streamdrop/config';
import { DAY_SECONDS, DEFAULT_PORTS, defaultStateDir, repoRoot, startLocalStack } from '@streamdrop/local';
import { readyBanner } from './banner';
import { consoleLog } from './console-log';
import { faultFlags, faultInput, STREAMDROP_RUN } from './options';

const PORT = { min: 1, max: 65_535, rule: 'a port number (1-65535)' };

const portFlag = (description: string, fallback: number, env: VariableName) =>
  ({ type: 'string', value: 'N', description, default: String(fallback), env }) as const;

const START: CommandSpec = {
  usage: 'npm start -- [options]     (or: pnpm start:local [options])',
  summary:
    'Runs the whole streamdrop pipeline on 127.0.0.1: cognito-local, s3rver, kinesalite, the\n' +
    'HTTP API gateway, the Kinesis event-source poller and the web client, driven by the synthesized stack.',
  flags: {
    reset: { type: 'boolean', description: 'wipe the local state (.streamdrop/) before starting' },
    'web-port': portFlag(
      'web client port (http://localhost:<port>/)',
      DEFAULT_PORTS.web,
      'STREAMDROP_WEB_PORT',
    ),
    port: portFlag('HTTP API gateway port', DEFAULT_PORTS.api, 'STREAMDROP_PORT'),
    'cognito-port': portFlag('cognito-local port', DEFAULT_PORTS.cognito, 'STREAMDROP_COGNITO_PORT'),
    's3-port': portFlag('s3rver port', DEFAULT_PORTS.s3, 'STREAMDROP_S3_PORT'),
    'kinesis-port': portFlag('kinesalite port', DEFAULT_PORTS.kinesis, 'STREAMDROP_KINESIS_PORT'),
    'dynamodb-port': portFlag('dynalite port', DEFAULT_PORTS.dynamodb, 'STREAMDROP_DYNAMODB_PORT'),
    'state-dir': {
      type: 'string',
      value: 'DIR',
      description: 'state folder',
      default: '.streamdrop',
      env: 'STREAMDROP_STATE_DIR',
    },
    stage: {
      type: 'string',
      value: 'NAME',
      description: 'stack stage to run',
      default: 'dev',
      env: 'STREAMDROP_STAGE',
    },
    shards: { type: 'string', value: 'N', description: 'shards per Kinesis stream', default: '1' },
    'lifecycle-day-seconds': {
      type: 'string',
      value: 'S',
      description:
        "how long a day of the stack's S3 lifecycle rules lasts locally (pending uploads expire after 2 of them; " +
        "shorter days are for tests and chaos runs; a day too short for the functions' timeouts is refused)",
      default: String(DAY_SECONDS),
    },
    quiet: { type: 'boolean', description: "do not echo the functions' log lines" },
  },
  sections: [
    {
      heading:
        "Fault injection (off by default; only the functions' traffic and environments are affected,\n" +
        'never the poller, the bootstrap or the CLI; rates are 0-1 or percentages such as 10%)',
      flags: {
        ...faultFlags(),
        's3-version-log': {
          type: 'boolean',
          description:
            'record every object version the functions write in <state-dir>/s3-versions.jsonl (s3rver has ' +
            'no versioning; pnpm chaos uses it in place of ListObjectVersions)',
          env: 'STREAMDROP_S3_VERSION_LOG',
        },
      },
    },
  ],
};

// The SDK warns that its releases after January 2027 need Node 22; the versions pinned here
// run on Node 20, and the notice would otherwise open every command's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

async function main(args: Args): Promise<undefined> {
  const started = Date.now();
  const env = envReader(process.env);
  const port = (flag: string, variable: VariableName, fallback: number) => {
    const raw = stringFlag(args, flag);
    return raw === undefined
      ? env.int(variable, { fallback, ...PORT })
      : parseInteger(`--${flag}`, raw, PORT);
  };
  const ports = {
    web: port('web-port', 'STREAMDROP_WEB_PORT', DEFAULT_PORTS.web),
    api: port('port', 'STREAMDROP_PORT', DEFAULT_PORTS.api),
    cognito: port('cognito-port', 'STREAMDROP_COGNITO_PORT', DEFAULT_PORTS.cognito),
    s3: port('s3-port', 'STREAMDROP_S3_PORT', DEFAULT_PORTS.s3),
    kinesis: port('kinesis-port', 'STREAMDROP_KINESIS_PORT', DEFAULT_PORTS.kinesis),
    dynamodb: port('dynamodb-port', 'STREAMDROP_DYNAMODB_PORT', DEFAULT_PORTS.dynamodb),
  };
  const shards = integerFlag(args, 'shards', 1, { min: 1, max: 50 });
  const lifecycleDaySeconds = integerFlag(args, 'lifecycle-day-seconds', DAY_SECONDS, {
    min: 1,
    max: 365 * DAY_SECONDS,
  });
  const faults = faultSettingsFrom(faultInput(args));
  const s3VersionLog = booleanFlag(args, 's3-version-log') || env.bool('STREAMDROP_S3_VERSION_LOG');
  const injecting = anyFault(faults);
  // Resolved once, against the folder `npm start` was typed in; everything below gets it absolute.
  const stateDir = pathFlag(args, 'state-dir', 'STREAMDROP_STATE_DIR') ?? defaultStateDir();
  const log = consoleLog();
  const stack = await startLocalStack({
    stateDir,
    stage: stringFlag(args, 'stage'),
    ports,
    reset: booleanFlag(args, 'reset'),
    shardCount: shards,
    lifecycleDaySeconds,
    extensions:
      injecting || s3VersionLog
        ? [faultInjection({ settings: injecting ? faults : undefined, versionLog: s3VersionLog })]
        : [],
    log,
    onFunctionLog: booleanFlag(args, 'quiet')
      ? undefined
      : // The functions log what they were sent: escaped like any other stored data.
        (fn, line) => process.stderr.write(`  [${fn}] ${escapeControls(line)}\n`),
    onFatal: (error) => {
      log.error(error.message);
      process.exit(1);
    },
  });
  const inRepo = relative(repoRoot(), stateDir);
  const label = inRepo && !inRepo.startsWith('..') && !isAbsolute(inRepo) ? inRepo : stateDir;
  const routes = stack.model.routes.map((r) => r.routeKey);
  process.stdout.write(`${readyBanner(stack.config, Date.now() - started, label, routes)}\n`);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: stopping…`);
    stack.stop().then(
      () => {
        log.info('stopped; every port is released.');
        process.exit(0);
      },
      (error: Error) => {
        log.error(`while stopping: ${error.message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  // A wrapper that started this process (tsx under `npm start`, pnpm chaos) may be SIGKILLed,
  // which no signal handler here sees: once this process has been handed to another parent,
  // nobody is left to stop it, so it stops itself.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) shutdown(`the process that started this stack (pid ${parent}) is gone`);
  }, 500).unref();
  return undefined;
}

command(START, main, process.argv.slice(2), STREAMDROP_RUN);
