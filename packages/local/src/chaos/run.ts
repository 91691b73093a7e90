import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  ListShardsCommand,
} from '@aws-sdk/client-kinesis';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { PROCESSED_PREFIX, processedKeyFor } from '@streamdrop/events';
import { localCognitoClient, localKinesisClient, localS3Client } from '../clients';
import { freePort } from '../emulators';
import { LocalError } from '../errors';
import { faultStatsDir } from '../faults/control';
import { seededRandom } from '../faults/random';
import type { FaultSettings } from '../faults/settings';
import { versionLogPath } from '../faults/version-log';
import type { LocalConfig } from '../local-config';
import type { RecoveryTarget } from '../recovery/failures';
import { type AcceptedUpload, type DriveCounts, driveUploads, planUpload } from './driver';
import { failuresByUpload, pipelineFingerprint, type Reconciliation, reconcile } from './reconcile';
import { type StackProcess, startStackProcess } from './stack-process';

export interface ChaosOptions {
  uploads: number;
  concurrency: number;
  faults: FaultSettings;
  /** How many times the whole stack is SIGKILLed (at random moments of the upload phase) and restarted. */
  kills: number;
  /** Give up waiting for the pipeline to settle after this long (what is still missing is lost). */
  settleTimeoutMs: number;
  /** Kept after the run when set; otherwise a temporary folder, removed when the run is clean. */
  stateDir?: string;
  shards: number;
  log: (line: string) => void;
}

export interface ChaosResult {
  ok: boolean;
  seed: string;
  settings: FaultSettings & { uploads: number; concurrency: number; kills: number; shards: number };
  counts: {
    attempted: number;
    accepted: number;
    processedCorrectly: number;
    failedWithReason: number;
    lost: number;
    duplicated: number;
    corrupted: number;
  };
  client: DriveCounts;
  injected: {
    s3Requests: number;
    s3Errors: Record<string, number>;
    s3AddedLatencyMs: number;
    kinesisRequests: number;
    kinesisThrottles: number;
    processorCrashes: number;
    /** Invocations of the functions that may crash (the processor). */
    processorInvocations: number;
    stackKills: number;
  };
  settled: boolean;
  versionSource: string;
  info: Reconciliation['info'];
  details: Reconciliation['details'];
  durationsMs: { total: number; uploads: number; settle: number; restarts: number[] };
  stateDir: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function signIn(config: LocalConfig): Promise<string> {
  const cognito = localCognitoClient(config.cognito.endpoint, config.region);
  try {
    const out = await cognito.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: config.cognito.clientId,
        AuthParameters: { USERNAME: config.users.demo.username, PASSWORD: config.users.demo.password },
      }),
    );
    const token = out.AuthenticationResult?.IdToken;
    if (!token) throw new LocalError('cognito-local answered without a token');
    return token;
  } finally {
    cognito.destroy();
  }
}

/** True when the poller's checkpoint of every shard is at the end of that shard. */
async function pollerCaughtUp(
  stateDir: string,
  kinesis: KinesisClient,
  streamName: string,
): Promise<boolean> {
  const file = join(stateDir, 'checkpoints.json');
  if (!existsSync(file)) return false;
  let checkpoints: Record<string, { afterSequenceNumber?: string }>;
  try {
    checkpoints = (JSON.parse(readFileSync(file, 'utf8')) as { checkpoints: typeof checkpoints }).checkpoints;
  } catch {
    return false;
  }
  const shards = (await kinesis.send(new ListShardsCommand({ StreamName: streamName }))).Shards ?? [];
  for (const shard of shards) {
    const entry = Object.entries(checkpoints).find(([key]) => key.endsWith(`/${shard.ShardId}`))?.[1];
    const after = entry?.afterSequenceNumber;
    const iterator = await kinesis.send(
      new GetShardIteratorCommand({
        StreamName: streamName,
        ShardId: shard.ShardId,
        ...(after
          ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: after }
          : { ShardIteratorType: 'TRIM_HORIZON' }),
      }),
    );
    const page = await kinesis.send(
      new GetRecordsCommand({ ShardIterator: iterator.ShardIterator, Limit: 1 }),
    );
    if ((page.Records ?? []).length > 0) return false;
  }
  return true;
}

function sumFaultStats(stateDir: string) {
  const total = {
    s3Requests: 0,
    s3Errors: {} as Record<string, number>,
    s3AddedLatencyMs: 0,
    kinesisRequests: 0,
    kinesisThrottles: 0,
    processorCrashes: 0,
    processorInvocations: 0,
  };
  const dir = faultStatsDir(stateDir);
  if (!existsSync(dir)) return total;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    try {
      const s = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
        s3: { requests: number; injected: Record<string, number>; addedLatencyMs: number };
        kinesis: { requests: number; injected: Record<string, number> };
        crashes: number;
        crashTargetInvocations?: number;
      };
      total.s3Requests += s.s3.requests;
      for (const [code, n] of Object.entries(s.s3.injected))
        total.s3Errors[code] = (total.s3Errors[code] ?? 0) + n;
      total.s3AddedLatencyMs += s.s3.addedLatencyMs;
      total.kinesisRequests += s.kinesis.requests;
      total.kinesisThrottles += Object.values(s.kinesis.injected).reduce((a, b) => a + b, 0);
      total.processorCrashes += s.crashes;
      total.processorInvocations += s.crashTargetInvocations ?? 0;
    } catch {
      // torn by a kill: the next write of that process (if any) is whole
    }
  }
  return total;
}

/** Starts a local stack of its own, drives the uploads under faults, waits for it to settle, reconciles. */
export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const started = Date.now();
  const { log, faults } = options;
  const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), 'streamdrop-chaos-'));
  mkdirSync(stateDir, { recursive: true });
  const ports = {
    api: await freePort(),
    cognito: await freePort(),
    s3: await freePort(),
    kinesis: await freePort(),
  };
  const args = [
    '--fault-seed',
    faults.seed,
    '--s3-error-rate',
    String(faults.s3ErrorRate),
    '--s3-latency-ms',
    `${faults.s3LatencyMs.min}-${faults.s3LatencyMs.max}`,
    '--kinesis-throttle-rate',
    String(faults.kinesisThrottleRate),
    '--crash-rate',
    String(faults.crashRate),
    ...(faults.crashFunctions ? ['--crash-functions', faults.crashFunctions.join(',')] : []),
    '--shards',
    String(options.shards),
    '--s3-version-log',
  ];
  const logFile = join(stateDir, 'stack.log');
  const launch = () => startStackProcess({ stateDir, ports, args, logFile });
  log(`starting a local stack in ${stateDir} (API port ${ports.api}; its output: ${logFile})`);
  let stack: StackProcess = await launch();
  const config = stack.config;
  const s3 = localS3Client(config.s3.endpoint, config.region);
  const kinesis = localKinesisClient(config.kinesis.endpoint, config.region);
  const dataBucket = config.s3.buckets.data ?? '';
  const recovery: RecoveryTarget = {
    s3,
    kinesis,
    failuresBucket: config.s3.buckets.failures ?? '',
    streamName: config.kinesis.streamName,
  };
  const versionLogFile = config.faults?.s3VersionLog ?? versionLogPath(stateDir);
  // The stack runs in its own process group, so Ctrl-C does not reach it: take it down ourselves.
  const interrupted = (signal: NodeJS.Signals) => {
    log(`${signal}: stopping the chaos run and its local stack (state kept in ${stateDir})`);
    void stack.kill().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    const token = await signIn(config);

    // Uploads: planned from the seed; the kills happen when chosen uploads start.
    const planRandom = seededRandom(faults.seed, 'chaos-plan');
    const uploads = Array.from({ length: options.uploads }, (_, i) => planUpload(i, faults.seed, planRandom));
    const killRandom = seededRandom(faults.seed, 'chaos-kills');
    const killAt = new Set(
      Array.from({ length: options.kills }, () => Math.floor(options.uploads * (0.1 + 0.8 * killRandom()))),
    );
    const restarts: number[] = [];
    let gate: Promise<void> = Promise.resolve();
    let kills = 0;
    let killing: Promise<void> = Promise.resolve();
    const killAndRestart = async (index: number) => {
      kills += 1;
      // A random moment while the other clients' requests are in flight and the processor is mid-batch.
      await sleep(Math.floor(killRandom() * 300));
      let reopen!: () => void;
      gate = new Promise((resolve) => {
        reopen = resolve;
      });
      log(
        `SIGKILL #${kills} of the whole local stack (process group ${stack.pid}) as upload ${index} starts`,
      );
      await stack.kill();
      const t0 = Date.now();
      stack = await launch();
      restarts.push(Date.now() - t0);
      log(`restarted in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      reopen();
    };
    const driveStarted = Date.now();
    let lastReport = Date.now();
    const { accepted, counts: client } = await driveUploads({
      apiUrl: () => config.apiUrl,
      token: () => token,
      uploads,
      concurrency: options.concurrency,
      random: seededRandom(faults.seed, 'chaos-client'),
      gate: () => gate,
      onStart: async (index) => {
        if (killAt.has(index)) {
          killAt.delete(index);
          // One kill at a time: a second one waits until the stack is back from the first.
          killing = killing.then(() => killAndRestart(index));
          await killing;
        }
        if (Date.now() - lastReport > 5_000) {
          lastReport = Date.now();
          log(`${index} of ${options.uploads} uploads started`);
        }
      },
    });
    const uploadsMs = Date.now() - driveStarted;
    log(
      `uploads done in ${(uploadsMs / 1000).toFixed(1)} s: ${client.accepted} accepted, ${client.clientRetries} client retries, ${client.gaveUp} given up`,
    );

    // Settle: every acknowledged upload accounted for, the poller at the end of the stream, and
    // nothing moving any more for two looks in a row.
    const settleStarted = Date.now();
    let settled = false;
    let previous = '';
    let quiet = 0;
    let lastError = '';
    while (Date.now() - settleStarted < options.settleTimeoutMs) {
      await sleep(1_000);
      try {
        const fingerprint = await pipelineFingerprint(s3, dataBucket, recovery.failuresBucket);
        quiet = fingerprint === previous ? quiet + 1 : 0;
        previous = fingerprint;
        if (quiet < 2) continue;
        if (!(await pollerCaughtUp(stateDir, kinesis, recovery.streamName))) continue;
        const { byUpload } = await failuresByUpload(recovery);
        const missing = await countUnaccounted(accepted, s3, dataBucket, byUpload);
        if (missing === 0) {
          settled = true;
          break;
        }
      } catch (error) {
        // An emulator slow under load: look again; say so once per kind of error.
        const message = `${(error as Error).name}: ${(error as Error).message}`;
        if (message !== lastError) log(`while waiting to settle: ${message}`);
        lastError = message;
      }
    }
    const settleMs = Date.now() - settleStarted;
    log(
      settled ? `settled in ${(settleMs / 1000).toFixed(1)} s` : `did not settle within ${settleMs / 1000} s`,
    );

    const r = await reconcile({ accepted, s3, dataBucket, recovery, versionLogFile });
    const result: ChaosResult = {
      ok: r.lost === 0 && r.duplicated === 0 && r.corrupted === 0 && client.clientErrors === 0,
      seed: faults.seed,
      settings: {
        ...faults,
        uploads: options.uploads,
        concurrency: options.concurrency,
        kills: options.kills,
        shards: options.shards,
      },
      counts: {
        attempted: options.uploads,
        accepted: r.accepted,
        processedCorrectly: r.processedCorrectly,
        failedWithReason: r.failedWithReason,
        lost: r.lost,
        duplicated: r.duplicated,
        corrupted: r.corrupted,
      },
      client,
      injected: { ...sumFaultStats(stateDir), stackKills: kills },
      settled,
      versionSource: r.versionSource,
      info: r.info,
      details: r.details,
      durationsMs: { total: Date.now() - started, uploads: uploadsMs, settle: settleMs, restarts },
      stateDir,
    };
    return result;
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    s3.destroy();
    kinesis.destroy();
    await stack.stop();
  }
}

async function countUnaccounted(
  accepted: readonly AcceptedUpload[],
  s3: S3Client,
  dataBucket: string,
  failures: Map<string, unknown>,
): Promise<number> {
  const processed = new Set<string>();
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: dataBucket, Prefix: PROCESSED_PREFIX, ContinuationToken: token }),
    );
    for (const o of page.Contents ?? []) if (o.Key) processed.add(o.Key);
    token = page.NextContinuationToken;
  } while (token);
  return accepted.filter((u) => !processed.has(processedKeyFor(u.key)) && !failures.has(u.uploadId)).length;
}

/** Removes a run's state folder (only temporary ones, and only after a clean run). */
export function cleanUp(result: ChaosResult, keep: boolean): void {
  if (result.ok && !keep) rmSync(result.stateDir, { recursive: true, force: true });
}
