import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { bootstrap } from './bootstrap';
import { localCognitoClient, localKinesisClient, localS3Client, S3RVER_CREDENTIALS } from './clients';
import { assertPortFree, DEFAULT_PORTS, type Emulators, startEmulators } from './emulators';
import { EmulatorError, LocalError } from './errors';
import { type FaultControl, startFaults } from './faults/control';
import type { FaultSettings } from './faults/settings';
import { createFunctionRunner, type FunctionRunner } from './functions/runner';
import { startGateway } from './gateway';
import { type LocalConfig, removeLocalConfig, writeLocalConfig } from './local-config';
import { defaultStackFile, defaultStage, defaultStateDir } from './paths';
import { createFileCheckpointStore, startPoller } from './poller';
import { buildRuntimeModel, LOCAL_ACCOUNT_ID, type RuntimeModel, readInventory } from './stack/model';
import type { InvokeResult, Log } from './types';

export interface LocalStackOptions {
  stackFile?: string;
  stateDir?: string;
  stage?: string;
  ports?: Partial<typeof DEFAULT_PORTS>;
  /** Wipe the state folder first. */
  reset?: boolean;
  /** Shards per stream (kinesalite has no ON_DEMAND mode). */
  shardCount?: number;
  log: Log;
  /** Lines the functions print; default: dropped. */
  onFunctionLog?: (functionName: string, line: string) => void;
  /** Observes every function invocation once it has finished. */
  onInvoke?: (functionName: string, event: unknown, result: InvokeResult) => void;
  /** Called once if an emulator dies while the stack runs; the stack has stopped by then. */
  onFatal?: (error: Error) => void;
  /**
   * Fault injection into the functions' traffic (a proxy in front of s3rver and kinesalite) and
   * execution environments (crashes). Absent: no proxy, the functions talk to the emulators.
   */
  faults?: FaultSettings;
  /** Keep `<stateDir>/s3-versions.jsonl`: every object version the functions write (s3rver has no versioning). */
  s3VersionLog?: boolean;
}

export interface LocalStack {
  config: LocalConfig;
  model: RuntimeModel;
  stateDir: string;
  /** The emulator child processes (name and pid), e.g. to watch or to kill in a test. */
  children: Array<{ name: string; pid: number }>;
  /** Resolves when every poller has caught up with its stream (for tests). */
  idle(): Promise<void>;
  /** Kills the execution environments running an invocation of the function now (Runtime.ExitError). */
  crash(functionName: string): number;
  /** Present when the stack runs with fault injection or the version log (`faults`, `s3VersionLog`). */
  faults?: FaultControl;
  stop(): Promise<void>;
}

/** Brings the whole pipeline up on 127.0.0.1, driven by the synthesized stack. */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const { log } = options;
  const stage = options.stage ?? defaultStage();
  const stackFile = options.stackFile ?? defaultStackFile(undefined, stage);
  const stateDir = options.stateDir ?? defaultStateDir();
  const ports = { ...DEFAULT_PORTS, ...options.ports };
  const { tf, inventory } = readInventory(stackFile);

  if (options.reset) {
    rmSync(stateDir, { recursive: true, force: true });
    log.info(`reset: removed ${stateDir}`);
  }
  mkdirSync(stateDir, { recursive: true });
  // Fail on a taken gateway port before starting anything else.
  await assertPortFree('HTTP API gateway', ports.api);

  const stoppers: Array<() => Promise<void>> = [];
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    removeLocalConfig(stateDir);
    for (const s of stoppers.reverse()) {
      try {
        await s();
      } catch (error) {
        log.warn(`while stopping: ${(error as Error).message}`);
      }
    }
  };

  try {
    const emulators: Emulators = await startEmulators(stateDir, ports, log);
    stoppers.push(() => emulators.stop());
    const region = inventory.region;
    const s3 = localS3Client(emulators.endpoints.s3, region);
    const kinesis = localKinesisClient(emulators.endpoints.kinesis, region);
    const cognito = localCognitoClient(emulators.endpoints.cognito, region);
    stoppers.push(async () => {
      s3.destroy();
      kinesis.destroy();
      cognito.destroy();
    });

    const { ids, state } = await bootstrap({
      stateDir,
      inventory,
      cognito,
      s3,
      kinesis,
      cognitoEndpoint: emulators.endpoints.cognito,
      shardCount: options.shardCount ?? 1,
      log,
    });
    const model = buildRuntimeModel(tf, inventory, ids);

    let faults: FaultControl | undefined;
    if (options.faults || options.s3VersionLog) {
      const functionNames = model.functions.map((f) => f.name);
      const unknown = (options.faults?.crashFunctions ?? []).filter((name) => !functionNames.includes(name));
      if (unknown.length > 0) {
        throw new LocalError(
          `--crash-functions names ${unknown.join(', ')}, which the stack does not have; its functions are ${functionNames.join(', ')}.`,
        );
      }
      faults = await startFaults({
        settings: options.faults,
        crashTargets: options.faults?.crashFunctions ?? [
          ...new Set(model.mappings.map((m) => m.functionName)),
        ],
        s3Upstream: emulators.endpoints.s3,
        kinesisUpstream: emulators.endpoints.kinesis,
        shardCount: options.shardCount ?? 1,
        stateDir,
        versionLog: options.s3VersionLog === true,
        log,
      });
      stoppers.push(() => faults?.close() ?? Promise.resolve());
    }

    const runner: FunctionRunner = createFunctionRunner({
      functions: model.functions,
      cacheDir: join(stateDir, 'functions'),
      region,
      accountId: LOCAL_ACCOUNT_ID,
      log,
      onFunctionLog: options.onFunctionLog,
      onInvoke: options.onInvoke,
      crash: faults?.crashInjection,
      baseEnv: {
        AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
        // With fault injection, the functions (and only they) go through the fault proxies.
        AWS_ENDPOINT_URL_S3: faults?.endpoints.s3 ?? emulators.endpoints.s3,
        AWS_ENDPOINT_URL_KINESIS: faults?.endpoints.kinesis ?? emulators.endpoints.kinesis,
        // The functions' one local seam: s3rver serves path-style URLs only.
        S3_FORCE_PATH_STYLE: 'true',
        AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
        AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
        TZ: 'UTC',
        // Lambda runs Node 22; the SDK's notice about Node 20 only concerns the local host.
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        PATH: process.env.PATH ?? '',
      },
    });
    stoppers.push(() => runner.close());
    faults?.attachRunner(runner);

    const gateway = await startGateway({
      host: '127.0.0.1',
      port: ports.api,
      routes: model.routes,
      invoker: runner,
      log,
    });
    stoppers.push(() => gateway.close());

    const checkpoints = createFileCheckpointStore(join(stateDir, 'checkpoints.json'));
    const pollers = model.mappings.map((mapping) =>
      startPoller({
        mapping,
        kinesis,
        s3,
        invoker: runner,
        checkpoints,
        log,
        region,
        accountId: LOCAL_ACCOUNT_ID,
      }),
    );
    stoppers.push(async () => {
      await Promise.all(pollers.map((p) => p.stop()));
    });

    for (const child of emulators.all) {
      void child.exited.then(({ code, signal }) => {
        if (stopped) return;
        const error = new EmulatorError(
          `${child.name} stopped unexpectedly (${signal ?? `exit code ${code}`}); the local stack has shut down. ` +
            `Run \`npm start\` again; if it keeps happening, \`npm start -- --reset\` starts from empty state.` +
            (child.stderrTail() ? `\n--- its last output ---\n${child.stderrTail()}` : ''),
        );
        void stop().then(() => options.onFatal?.(error));
      });
    }

    const buckets: Record<string, string> = {};
    for (const b of inventory.buckets) if (b.role) buckets[b.role] = b.name;
    if (buckets.data) {
      buckets.uploads ??= buckets.data;
      buckets.processed ??= buckets.data;
    }
    const config: LocalConfig = {
      apiUrl: gateway.url,
      region,
      stage,
      cognito: {
        endpoint: emulators.endpoints.cognito,
        userPoolId: ids.userPoolId,
        clientId: ids.clientId,
        issuer: `${emulators.endpoints.cognito}/${ids.userPoolId}`,
      },
      s3: {
        endpoint: emulators.endpoints.s3,
        accessKeyId: S3RVER_CREDENTIALS.accessKeyId,
        secretAccessKey: S3RVER_CREDENTIALS.secretAccessKey,
        forcePathStyle: true,
        buckets,
      },
      kinesis: { endpoint: emulators.endpoints.kinesis, streamName: inventory.streams[0]?.name ?? '' },
      users: state.users,
      adminGroup: inventory.adminGroup,
      ...(faults && {
        faults: {
          ...(options.faults && { settings: faults.settings(), crashTargets: faults.crashTargets }),
          proxies: faults.endpoints,
          ...(faults.versionLogFile && { s3VersionLog: faults.versionLogFile }),
        },
      }),
      pid: process.pid,
      startedAt: new Date().toISOString(),
    };
    writeLocalConfig(stateDir, config);
    // In the background: the banner does not wait, the first request usually finds a warm function.
    void runner.warm();
    return {
      config,
      model,
      stateDir,
      children: emulators.all.map((c) => ({ name: c.name, pid: c.pid })),
      idle: async () => {
        await Promise.all(pollers.map((p) => p.idle()));
      },
      crash: (functionName) => runner.crash(functionName),
      faults,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
