import { isAbsolute, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_PORTS } from '../emulators';
import { LocalError } from '../errors';
import { anyFault, faultSettingsFrom } from '../faults/settings';
import { startLocalStack } from '../local-stack';
import { defaultStateDir, repoRoot } from '../paths';
import { readyBanner } from './banner';
import { consoleLog } from './console-log';

const HELP = `Usage: npm start -- [options]     (or: pnpm start:local [options])

Runs the whole streamdrop pipeline on 127.0.0.1: cognito-local, s3rver, kinesalite, the
HTTP API gateway and the Kinesis event-source poller, driven by the synthesized stack.

Options:
  --reset               wipe the local state (${'.streamdrop/'}) before starting
  --port N              HTTP API gateway port (default ${DEFAULT_PORTS.api}; env STREAMDROP_PORT)
  --cognito-port N      cognito-local port (default ${DEFAULT_PORTS.cognito}; env STREAMDROP_COGNITO_PORT)
  --s3-port N           s3rver port (default ${DEFAULT_PORTS.s3}; env STREAMDROP_S3_PORT)
  --kinesis-port N      kinesalite port (default ${DEFAULT_PORTS.kinesis}; env STREAMDROP_KINESIS_PORT)
  --state-dir DIR       state folder (default .streamdrop; env STREAMDROP_STATE_DIR)
  --stage NAME          stack stage to run (default dev; env STREAMDROP_STAGE)
  --shards N            shards per Kinesis stream (default 1)
  --quiet               do not echo the functions' log lines
  -h, --help            show this help

Fault injection (off by default; only the functions' traffic and environments are affected,
never the poller, the bootstrap or the CLI; rates are 0-1 or percentages such as 10%):
  --s3-error-rate R          share of the functions' S3 requests answered 503 SlowDown or
                             500 InternalError, with S3's XML error body (env STREAMDROP_FAULT_S3_ERROR_RATE)
  --s3-latency-ms N|MIN-MAX  latency added to each of their S3 requests (env STREAMDROP_FAULT_S3_LATENCY_MS)
  --kinesis-throttle-rate R  share of their PutRecord(s)/GetRecords answered 400
                             ProvisionedThroughputExceededException (env STREAMDROP_FAULT_KINESIS_THROTTLE_RATE)
  --crash-rate R             share of invocations whose execution environment dies mid-invocation
                             (env STREAMDROP_FAULT_CRASH_RATE)
  --crash-functions A,B      functions that may crash (default: those fed by an event source
                             mapping, i.e. the processor; env STREAMDROP_FAULT_CRASH_FUNCTIONS)
  --fault-seed S             seed of every fault decision, for repeatable runs (default: random,
                             printed in the banner; env STREAMDROP_FAULT_SEED)
  --s3-version-log           record every object version the functions write in
                             <state-dir>/s3-versions.jsonl (s3rver has no versioning; pnpm chaos uses it
                             in place of ListObjectVersions; env STREAMDROP_S3_VERSION_LOG=1)
`;

function port(name: string, flag: string | undefined, env: string | undefined, fallback: number): number {
  const raw = flag ?? env;
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 65_535)
    throw new LocalError(`${name} must be a port number (1-65535), got "${raw}".`);
  return n;
}

// The SDK warns that its releases after January 2027 need Node 22; the versions pinned here
// run on Node 20, and the notice would otherwise open every command's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

async function main(): Promise<void> {
  const started = Date.now();
  const { values } = parseArgs({
    options: {
      reset: { type: 'boolean' },
      port: { type: 'string' },
      'cognito-port': { type: 'string' },
      's3-port': { type: 'string' },
      'kinesis-port': { type: 'string' },
      'state-dir': { type: 'string' },
      stage: { type: 'string' },
      shards: { type: 'string' },
      quiet: { type: 'boolean' },
      's3-error-rate': { type: 'string' },
      's3-latency-ms': { type: 'string' },
      'kinesis-throttle-rate': { type: 'string' },
      'crash-rate': { type: 'string' },
      'crash-functions': { type: 'string' },
      'fault-seed': { type: 'string' },
      's3-version-log': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const env = process.env;
  const ports = {
    api: port('--port', values.port, env.STREAMDROP_PORT, DEFAULT_PORTS.api),
    cognito: port(
      '--cognito-port',
      values['cognito-port'],
      env.STREAMDROP_COGNITO_PORT,
      DEFAULT_PORTS.cognito,
    ),
    s3: port('--s3-port', values['s3-port'], env.STREAMDROP_S3_PORT, DEFAULT_PORTS.s3),
    kinesis: port(
      '--kinesis-port',
      values['kinesis-port'],
      env.STREAMDROP_KINESIS_PORT,
      DEFAULT_PORTS.kinesis,
    ),
  };
  const shards = Number(values.shards ?? 1);
  if (!Number.isInteger(shards) || shards < 1 || shards > 50) throw new LocalError('--shards must be 1-50.');
  const faults = faultSettingsFrom({
    s3ErrorRate: values['s3-error-rate'],
    s3LatencyMs: values['s3-latency-ms'],
    kinesisThrottleRate: values['kinesis-throttle-rate'],
    crashRate: values['crash-rate'],
    crashFunctions: values['crash-functions'],
    seed: values['fault-seed'],
  });
  const versionLogEnv = env.STREAMDROP_S3_VERSION_LOG;
  if (versionLogEnv !== undefined && !['', '0', '1', 'true', 'false'].includes(versionLogEnv))
    throw new LocalError(`STREAMDROP_S3_VERSION_LOG must be 1/true or 0/false, got "${versionLogEnv}".`);
  const s3VersionLog = values['s3-version-log'] === true || versionLogEnv === '1' || versionLogEnv === 'true';
  const stateDir = values['state-dir'] ?? defaultStateDir();
  const log = consoleLog();
  const stack = await startLocalStack({
    stateDir,
    stage: values.stage,
    ports,
    reset: values.reset,
    shardCount: shards,
    ...(anyFault(faults) && { faults }),
    s3VersionLog,
    log,
    onFunctionLog: values.quiet ? undefined : (fn, line) => process.stderr.write(`  [${fn}] ${line}\n`),
    onFatal: (error) => {
      log.error(error.message);
      process.exit(1);
    },
  });
  const inRepo = relative(repoRoot(), stateDir);
  const label = inRepo && !inRepo.startsWith('..') && !isAbsolute(inRepo) ? inRepo : stateDir;
  process.stdout.write(
    `${readyBanner(
      stack.config,
      Date.now() - started,
      label,
      stack.model.routes.map((r) => r.routeKey),
    )}\n`,
  );
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
}

main().catch((error: unknown) => {
  if (
    error instanceof LocalError ||
    (error instanceof Error && error.name === 'TypeError' && 'code' in error)
  ) {
    process.stderr.write(`streamdrop ▸ error: ${error.message}\n`);
  } else {
    process.stderr.write(
      `streamdrop ▸ unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  }
  process.exit(1);
});
