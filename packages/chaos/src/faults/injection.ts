import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExtensionContext, ExtensionHooks, LocalConfig, RuntimeExtension } from '@streamdrop/local';
import { ChaosError } from '../errors';
import { type CrashInjection, crashInjection } from './crash';
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
  versionLogFile?: string;
  settings(): FaultSettings;
  /** Changes rates while the stack runs (tests). */
  update(changes: Partial<Omit<FaultSettings, 'seed' | 'crashFunctions'>>): void;
  /** The next `count` S3 requests (or Kinesis PutRecord(s)/GetRecords) of the functions fail; 0 ends that. */
  failNext(kind: 's3' | 'kinesis', count: number): void;
  stats(): FaultStats;
}

/** The `faults` section fault injection adds to local.json. */
export interface FaultsSection {
  /** The fault settings (absent when only the version log is on). */
  settings?: FaultSettings;
  /** Functions whose environments may crash. */
  crashTargets?: string[];
  /** The proxies the functions reach S3 and Kinesis through. */
  proxies: { s3: string; kinesis: string };
  /** `s3-versions.jsonl`: every object version the functions wrote. */
  s3VersionLog?: string;
}

/** The `faults` section of a running stack's local.json, when it runs with fault injection. */
export const faultsSection = (config: LocalConfig): FaultsSection | undefined =>
  config.faults as FaultsSection | undefined;

export const faultStatsDir = (stateDir: string) => join(stateDir, 'fault-stats');

/** What every stack process of a state folder injected, summed (pnpm chaos reports it). */
export function readFaultStats(stateDir: string) {
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

export interface FaultInjectionOptions {
  /** What to inject; absent, the proxies only pass requests through (and keep the version log when asked). */
  settings?: FaultSettings;
  /** Keep `<stateDir>/s3-versions.jsonl`: every object version the functions write (s3rver has no versioning). */
  versionLog?: boolean;
}

/** Fault injection as a runtime extension; `control` is there once the stack has started. */
export interface FaultInjection extends RuntimeExtension {
  readonly control: FaultControl;
}

/**
 * Fault injection into a local stack, through the runtime's public seams only: the functions'
 * S3 and Kinesis traffic goes through fault proxies (endpoint overrides), and crashes are
 * injected around the function invoker. Every decision is drawn from `settings.seed`.
 */
export function faultInjection(options: FaultInjectionOptions): FaultInjection {
  let control: FaultControl | undefined;
  return {
    get control(): FaultControl {
      if (!control)
        throw new ChaosError('fault injection has not started: start the local stack with it first');
      return control;
    },
    async setup(context) {
      const started = await startFaults(context, options);
      control = started.control;
      return started.hooks;
    },
  };
}

/** Which functions may crash: the ones asked for (all of which must exist), else those fed by a stream. */
function crashTargetsOf(context: ExtensionContext, settings: FaultSettings | undefined): string[] {
  const functionNames = context.model.functions.map((f) => f.name);
  const unknown = (settings?.crashFunctions ?? []).filter((name) => !functionNames.includes(name));
  if (unknown.length > 0) {
    throw new ChaosError(
      `--crash-functions names ${unknown.join(', ')}, which the stack does not have; its functions are ${functionNames.join(', ')}.`,
    );
  }
  return settings?.crashFunctions ?? [...new Set(context.model.mappings.map((m) => m.functionName))];
}

/**
 * Starts the S3 and Kinesis fault proxies and the crash injection, all seeded from
 * `settings.seed`. With `settings` absent, the proxies only pass requests through.
 */
async function startFaults(
  context: ExtensionContext,
  options: FaultInjectionOptions,
): Promise<{ control: FaultControl; hooks: ExtensionHooks }> {
  const { stateDir, log } = context;
  const crashTargets = crashTargetsOf(context, options.settings);
  let settings: FaultSettings = options.settings ?? { seed: '0', ...NO_FAULTS };
  const { seed } = settings;
  // A restarted stack (same state folder) must not replay the decisions of the one before it:
  // each start draws from its own sequence, still fixed by the seed and the number of starts.
  const generation = existsSync(faultStatsDir(stateDir))
    ? readdirSync(faultStatsDir(stateDir)).filter((f) => f.endsWith('.json')).length
    : 0;
  const streamSeed = generation === 0 ? seed : `${seed}#${generation}`;
  const versionLog = options.versionLog ? openVersionLog(versionLogPath(stateDir)) : undefined;
  const proxies: FaultProxy[] = [];
  let statsTimer: NodeJS.Timeout | undefined;
  const statsFile = join(faultStatsDir(stateDir), `${process.pid}.json`);
  try {
    const s3 = await startFaultProxy({
      kind: 's3',
      upstream: context.endpoints.s3,
      faults: () => ({ errorRate: settings.s3ErrorRate, latencyMs: settings.s3LatencyMs }),
      random: seededRandom(streamSeed, 's3-errors'),
      latencyRandom: seededRandom(streamSeed, 's3-latency'),
      versionLog,
      log,
    });
    proxies.push(s3);
    const kinesis = await startFaultProxy({
      kind: 'kinesis',
      upstream: context.endpoints.kinesis,
      faults: () => ({ errorRate: settings.kinesisThrottleRate }),
      random: seededRandom(streamSeed, 'kinesis-throttling'),
      shardCount: context.shardCount,
      log,
    });
    proxies.push(kinesis);
    const crashes: CrashInjection = crashInjection({
      rate: () => settings.crashRate,
      functions: new Set(crashTargets),
      random: seededRandom(streamSeed, 'crashes'),
      log,
    });

    const stats = (): FaultStats => ({
      s3: s3.stats(),
      kinesis: kinesis.stats(),
      crashes: crashes.stats().crashes,
      crashTargetInvocations: crashes.stats().invocations,
    });
    // pnpm chaos runs the stack in another process (and SIGKILLs it): it reads these files.
    const writeStats = () => {
      try {
        mkdirSync(faultStatsDir(stateDir), { recursive: true });
        writeFileSync(`${statsFile}.tmp`, JSON.stringify({ pid: process.pid, seed, ...stats() }));
        renameSync(`${statsFile}.tmp`, statsFile);
      } catch {
        // Stats are a report, never a reason to fail.
      }
    };
    if (options.settings) {
      log.info(`fault injection: ${describeFaults(settings, crashTargets)}`);
      writeStats();
      statsTimer = setInterval(writeStats, 1_000);
      statsTimer.unref();
    }

    const endpoints = { s3: s3.url, kinesis: kinesis.url };
    const currentSettings = () => ({ ...settings, s3LatencyMs: { ...settings.s3LatencyMs } });
    const control: FaultControl = {
      endpoints,
      crashTargets,
      versionLogFile: versionLog?.file,
      settings: currentSettings,
      update(changes) {
        settings = { ...settings, ...changes };
      },
      failNext(kind, count) {
        (kind === 's3' ? s3 : kinesis).failNext(count);
      },
      stats,
    };
    const hooks: ExtensionHooks = {
      // The functions (and only they) go through the fault proxies.
      functionEndpoints: endpoints,
      wrapInvoker: (invoker) => crashes.wrap(invoker),
      localConfig: () => ({
        faults: {
          ...(options.settings && { settings: currentSettings(), crashTargets }),
          proxies: endpoints,
          ...(versionLog && { s3VersionLog: versionLog.file }),
        } satisfies FaultsSection,
      }),
      async close() {
        clearInterval(statsTimer);
        if (options.settings) writeStats();
        await Promise.all(proxies.map((p) => p.close()));
      },
    };
    return { control, hooks };
  } catch (error) {
    clearInterval(statsTimer);
    await Promise.all(proxies.map((p) => p.close()));
    rmSync(statsFile, { force: true });
    throw error;
  }
}
