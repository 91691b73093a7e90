import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CrashInjection } from '../functions/runner';
import type { Log } from '../types';
import { type FaultProxy, type ProxyStats, startFaultProxy } from './proxy';
import { seededRandom } from './random';
import { describeFaults, type FaultSettings, NO_FAULTS } from './settings';
import { openVersionLog, versionLogPath } from './version-log';

export interface FaultStats {
  s3: ProxyStats;
  kinesis: ProxyStats;
  /** Invocations whose execution environment was killed. */
  crashes: number;
  /** Invocations of the functions that may crash. */
  crashTargetInvocations: number;
}

/** The running stack's fault injection: what the tests (and the stats file) see of it. */
export interface FaultControl {
  /** The proxies the functions talk to instead of the emulators. */
  endpoints: { s3: string; kinesis: string };
  crashTargets: string[];
  crashInjection: CrashInjection;
  versionLogFile?: string;
  settings(): FaultSettings;
  /** Changes rates while the stack runs (tests). */
  update(changes: Partial<Omit<FaultSettings, 'seed' | 'crashFunctions'>>): void;
  /** The next `count` S3 requests (or Kinesis PutRecord(s)/GetRecords) of the functions fail; 0 ends that. */
  failNext(kind: 's3' | 'kinesis', count: number): void;
  stats(): FaultStats;
  /** @internal the runner reports crashes */
  attachRunner(runner: { crashStats(): { crashes: number; invocations: number } }): void;
  close(): Promise<void>;
}

export const faultStatsDir = (stateDir: string) => join(stateDir, 'fault-stats');

/**
 * Starts the S3 and Kinesis fault proxies and the crash injection, all seeded from
 * `settings.seed`. With `settings` absent, the proxies only pass requests through (and keep the
 * version log when asked).
 */
export async function startFaults(args: {
  settings?: FaultSettings;
  crashTargets: string[];
  s3Upstream: string;
  kinesisUpstream: string;
  shardCount: number;
  stateDir: string;
  versionLog: boolean;
  log: Log;
}): Promise<FaultControl> {
  let settings: FaultSettings = args.settings ?? { seed: '0', ...NO_FAULTS };
  const { seed } = settings;
  // A restarted stack (same state folder) must not replay the decisions of the one before it:
  // each start draws from its own sequence, still fixed by the seed and the number of starts.
  const generation = existsSync(faultStatsDir(args.stateDir))
    ? readdirSync(faultStatsDir(args.stateDir)).filter((f) => f.endsWith('.json')).length
    : 0;
  const streamSeed = generation === 0 ? seed : `${seed}#${generation}`;
  const versionLog = args.versionLog ? openVersionLog(versionLogPath(args.stateDir)) : undefined;
  const proxies: FaultProxy[] = [];
  let runner: { crashStats(): { crashes: number; invocations: number } } | undefined;
  let statsTimer: NodeJS.Timeout | undefined;
  const statsFile = join(faultStatsDir(args.stateDir), `${process.pid}.json`);
  try {
    const s3 = await startFaultProxy({
      kind: 's3',
      upstream: args.s3Upstream,
      faults: () => ({ errorRate: settings.s3ErrorRate, latencyMs: settings.s3LatencyMs }),
      random: seededRandom(streamSeed, 's3-errors'),
      latencyRandom: seededRandom(streamSeed, 's3-latency'),
      versionLog,
      log: args.log,
    });
    proxies.push(s3);
    const kinesis = await startFaultProxy({
      kind: 'kinesis',
      upstream: args.kinesisUpstream,
      faults: () => ({ errorRate: settings.kinesisThrottleRate }),
      random: seededRandom(streamSeed, 'kinesis-throttling'),
      shardCount: args.shardCount,
      log: args.log,
    });
    proxies.push(kinesis);

    const stats = (): FaultStats => ({
      s3: s3.stats(),
      kinesis: kinesis.stats(),
      crashes: runner?.crashStats().crashes ?? 0,
      crashTargetInvocations: runner?.crashStats().invocations ?? 0,
    });
    // pnpm chaos runs the stack in another process (and SIGKILLs it): it reads these files.
    const writeStats = () => {
      try {
        mkdirSync(faultStatsDir(args.stateDir), { recursive: true });
        writeFileSync(`${statsFile}.tmp`, JSON.stringify({ pid: process.pid, seed, ...stats() }));
        renameSync(`${statsFile}.tmp`, statsFile);
      } catch {
        // Stats are a report, never a reason to fail.
      }
    };
    if (args.settings) {
      args.log.info(`fault injection: ${describeFaults(settings, args.crashTargets)}`);
      writeStats();
      statsTimer = setInterval(writeStats, 1_000);
      statsTimer.unref();
    }

    return {
      endpoints: { s3: s3.url, kinesis: kinesis.url },
      crashTargets: args.crashTargets,
      crashInjection: {
        rate: () => settings.crashRate,
        functions: new Set(args.crashTargets),
        random: seededRandom(streamSeed, 'crashes'),
      },
      versionLogFile: versionLog?.file,
      settings: () => ({ ...settings, s3LatencyMs: { ...settings.s3LatencyMs } }),
      update(changes) {
        settings = { ...settings, ...changes };
      },
      failNext(kind, count) {
        (kind === 's3' ? s3 : kinesis).failNext(count);
      },
      stats,
      attachRunner(r) {
        runner = r;
      },
      async close() {
        clearInterval(statsTimer);
        if (args.settings) writeStats();
        await Promise.all(proxies.map((p) => p.close()));
      },
    };
  } catch (error) {
    clearInterval(statsTimer);
    await Promise.all(proxies.map((p) => p.close()));
    rmSync(statsFile, { force: true });
    throw error;
  }
}
