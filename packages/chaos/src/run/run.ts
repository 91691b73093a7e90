import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { S3Client } from '@aws-sdk/client-s3';
import { freePorts, localKinesisClient, localS3Client, signInLocalUser } from '@streamdrop/local';
import { faultsSection, readFaultStats } from '../faults/injection';
import { seededRandom } from '../faults/random';
import { type FaultSettings, faultFlagsOf } from '../faults/settings';
import { versionLogPath } from '../faults/version-log';
import { type DriveCounts, driveUploads, planUpload } from './driver';
import { finalSweep, keysNamedByEvents } from './orphans';
import { type FailureIndex, type Reconciliation, reconcile } from './reconcile';
import { settle } from './settle';
import { type StackCommand, type StackProcess, startStackProcess } from './stack-process';

/** The clients and names of the run's stack, for the failure index the caller builds over them. */
export interface StackTarget {
  s3: S3Client;
  kinesis: KinesisClient;
  failuresBucket: string;
  streamName: string;
}

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
  /**
   * The length of a local lifecycle "day" of the run's stack, in seconds: pending uploads expire
   * after the stack's days of them, and the run waits for a sweep past that before it counts orphans.
   */
  lifecycleDaySeconds: number;
  /** How to start the local stack (`npm start`'s entry point); it gets `npm start`'s flags. */
  stack: StackCommand;
  /** Reads the failures bucket of the run's stack (the operator tools' reader). */
  failures: (target: StackTarget) => FailureIndex;
  log: (line: string) => void;
}

export interface ChaosResult {
  ok: boolean;
  seed: string;
  settings: FaultSettings & {
    uploads: number;
    concurrency: number;
    kills: number;
    shards: number;
    lifecycleDaySeconds: number;
  };
  counts: { attempted: number } & Pick<
    Reconciliation,
    'accepted' | 'processedCorrectly' | 'failedWithReason' | 'lost' | 'duplicated' | 'corrupted' | 'orphans'
  >;
  /** When the stack's last lifecycle sweep before the orphans were counted began (none: not in time). */
  finalSweepAt?: string;
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
  durationsMs: { total: number; uploads: number; settle: number; finalSweep: number; restarts: number[] };
  stateDir: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Uploads planned from the seed, and at which of them the stack is killed. */
function plan(options: ChaosOptions) {
  const { seed } = options.faults;
  const planRandom = seededRandom(seed, 'chaos-plan');
  const uploads = Array.from({ length: options.uploads }, (_, i) => planUpload(i, seed, planRandom));
  const killRandom = seededRandom(seed, 'chaos-kills');
  const killAt = new Set(
    Array.from({ length: options.kills }, () => Math.floor(options.uploads * (0.1 + 0.8 * killRandom()))),
  );
  return { uploads, killAt, killRandom };
}

/** Starts a local stack of its own, drives the uploads under faults, waits for it to settle, reconciles. */
export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const started = Date.now();
  const { log, faults } = options;
  const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), 'streamdrop-chaos-'));
  mkdirSync(stateDir, { recursive: true });
  const ports = await freePorts();
  const args = [
    ...faultFlagsOf(faults),
    '--shards',
    String(options.shards),
    '--s3-version-log',
    '--lifecycle-day-seconds',
    String(options.lifecycleDaySeconds),
  ];
  const logFile = join(stateDir, 'stack.log');
  const launch = () => startStackProcess({ command: options.stack, stateDir, ports, args, logFile });
  log(`starting a local stack in ${stateDir} (API port ${ports.api}; its output: ${logFile})`);
  let stack: StackProcess = await launch();
  const config = stack.config;
  const s3 = localS3Client(config.s3.endpoint, config.region);
  const kinesis = localKinesisClient(config.kinesis.endpoint, config.region);
  const dataBucket = config.s3.buckets.data ?? '';
  const target: StackTarget = {
    s3,
    kinesis,
    failuresBucket: config.s3.buckets.failures ?? '',
    streamName: config.kinesis.streamName,
  };
  const failures = options.failures(target);
  const versionLogFile = faultsSection(config)?.s3VersionLog ?? versionLogPath(stateDir);
  // The stack runs in its own process group, so Ctrl-C does not reach it: take it down ourselves.
  const interrupted = (signal: NodeJS.Signals) => {
    log(`${signal}: stopping the chaos run and its local stack (state kept in ${stateDir})`);
    void stack.kill().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    const { id: token } = await signInLocalUser(config);
    const { uploads, killAt, killRandom } = plan(options);
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
    // Every object the run stored was stored by now: the final sweep's clock starts here.
    const storedBy = Date.now();
    log(
      `uploads done in ${(uploadsMs / 1000).toFixed(1)} s: ${client.accepted} accepted, ${client.clientRetries} client retries, ${client.gaveUp} given up`,
    );

    const settleStarted = Date.now();
    const settled = await settle(
      accepted,
      { ...target, stateDir, dataBucket, failures },
      options.settleTimeoutMs,
      log,
    );
    const settleMs = Date.now() - settleStarted;
    log(
      settled ? `settled in ${(settleMs / 1000).toFixed(1)} s` : `did not settle within ${settleMs / 1000} s`,
    );

    // What a writer that died between storing and publishing left must be gone after the stack's
    // own lifecycle sweep has run past its days: wait for that sweep, then count what is left.
    const sweepStarted = Date.now();
    log('waiting for the stack’s lifecycle sweep to pass the days of everything stored');
    const sweptAt = await finalSweep(stateDir, storedBy);
    const sweepMs = Date.now() - sweepStarted;
    log(
      sweptAt
        ? `final lifecycle sweep began ${sweptAt.toISOString()} (waited ${(sweepMs / 1000).toFixed(1)} s)`
        : 'no lifecycle sweep ran past the days of what was stored in time',
    );
    const namedByEvents = await keysNamedByEvents(kinesis, target.streamName);
    const r = await reconcile({ accepted, s3, dataBucket, failures, versionLogFile, namedByEvents });
    return resultOf(options, r, {
      client,
      settled,
      stateDir,
      finalSweepAt: sweptAt?.toISOString(),
      injected: { ...readFaultStats(stateDir), stackKills: kills },
      durationsMs: {
        total: Date.now() - started,
        uploads: uploadsMs,
        settle: settleMs,
        finalSweep: sweepMs,
        restarts,
      },
    });
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    s3.destroy();
    kinesis.destroy();
    await stack.stop();
  }
}

function resultOf(
  options: ChaosOptions,
  r: Reconciliation,
  run: Pick<ChaosResult, 'client' | 'settled' | 'stateDir' | 'injected' | 'durationsMs' | 'finalSweepAt'>,
): ChaosResult {
  return {
    ok:
      r.lost === 0 &&
      r.duplicated === 0 &&
      r.corrupted === 0 &&
      r.orphans === 0 &&
      run.finalSweepAt !== undefined &&
      run.client.clientErrors === 0,
    seed: options.faults.seed,
    settings: {
      ...options.faults,
      uploads: options.uploads,
      concurrency: options.concurrency,
      kills: options.kills,
      shards: options.shards,
      lifecycleDaySeconds: options.lifecycleDaySeconds,
    },
    counts: {
      attempted: options.uploads,
      accepted: r.accepted,
      processedCorrectly: r.processedCorrectly,
      failedWithReason: r.failedWithReason,
      lost: r.lost,
      duplicated: r.duplicated,
      corrupted: r.corrupted,
      orphans: r.orphans,
    },
    finalSweepAt: run.finalSweepAt,
    client: run.client,
    injected: run.injected,
    settled: run.settled,
    versionSource: r.versionSource,
    info: r.info,
    details: r.details,
    durationsMs: run.durationsMs,
    stateDir: run.stateDir,
  };
}

/** Removes a run's state folder (only temporary ones, and only after a clean run). */
export function cleanUp(result: ChaosResult, keep: boolean): void {
  if (result.ok && !keep) rmSync(result.stateDir, { recursive: true, force: true });
}
