import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  FUNCTION_ENV,
  hostedUiEndpoints,
  WEB_SCOPES,
  type WebConfig,
  webContentSecurityPolicy,
} from '@streamdrop/config';
import { bootstrap } from './bootstrap';
import { applyBucketCors, createTables } from './bootstrap-uploads';
import {
  localCognitoClient,
  localDynamoDbClient,
  localKinesisClient,
  localS3Client,
  S3RVER_CREDENTIALS,
} from './clients';
import {
  assertPortsFree,
  DEFAULT_PORTS,
  type Emulators,
  freePorts,
  type StackPorts,
  startEmulators,
} from './emulators';
import { describeExit, RETRY_ADVICE } from './emulators/supervisor';
import { EmulatorError } from './errors';
import type { ExtensionHooks, RuntimeExtension } from './extensions';
import { createFunctionRunner, type FunctionRunner } from './functions/runner';
import { startGateway } from './gateway';
import {
  checkDayLength,
  DAY_SECONDS,
  lifecycleRules,
  type SweepReport,
  startLifecycleSweeper,
} from './lifecycle';
import { type LocalConfig, removeLocalConfig, writeLocalConfig } from './local-config';
import { Monitor } from './metrics/monitor';
import { defaultStackFile, defaultStage, defaultStateDir, defaultWebDir } from './paths';
import { createFileCheckpointStore, startPoller } from './poller';
import {
  buildRuntimeModel,
  createLookup,
  LOCAL_ACCOUNT_ID,
  originOf,
  type RuntimeModel,
  readInventory,
  type StackInventory,
} from './stack/model';
import { interpolate } from './stack/terraform-json';
import { explainStartFailure } from './start-failure';
import { sweepExpiredSessions } from './sweep';
import type { InvokeResult, Invoker, Log } from './types';
import { assertWebBuilt, localWebUrl, startWebServer } from './web/server';

/** How often the runtime sweeps expired upload sessions (DynamoDB's TTL and S3's lifecycle, locally). */
export const SWEEP_INTERVAL_MS = 5 * 60 * 1000;

export interface LocalStackOptions {
  stackFile?: string;
  stateDir?: string;
  stage?: string;
  ports?: Partial<StackPorts>;
  /** The built web client (default: STREAMDROP_WEB_DIR, else dist/web). */
  webDir?: string;
  /** Wipe the state folder first. */
  reset?: boolean;
  /** Shards per stream (kinesalite has no ON_DEMAND mode). */
  shardCount?: number;
  log: Log;
  /** Lines the functions print, but for their metrics (EMF lines, which the monitor takes); default: dropped. */
  onFunctionLog?: (functionName: string, line: string) => void;
  /** Observes every function invocation once it has finished. */
  onInvoke?: (functionName: string, event: unknown, result: InvokeResult) => void;
  /** Called once if an emulator dies while the stack runs; the stack has stopped by then. */
  onFatal?: (error: Error) => void;
  /**
   * How long a "day" of the stack's S3 lifecycle rules lasts locally, in seconds (default: a real
   * day). Shorter days let tests and chaos runs see pending uploads expire; a day so short that a
   * rule could act on an object a function is still writing is refused.
   */
  lifecycleDaySeconds?: number;
  /**
   * Extensions that join the runtime as it starts (e.g. fault injection): they may redirect the
   * functions' S3/Kinesis traffic and wrap the function invoker. See extensions.ts.
   */
  extensions?: readonly RuntimeExtension[];
}

export interface LocalStack {
  config: LocalConfig;
  model: RuntimeModel;
  stateDir: string;
  /** The emulator child processes (name and pid), e.g. to watch or to kill in a test. */
  children: Array<{ name: string; pid: number }>;
  /** Resolves when every poller has caught up with its stream (for tests). */
  idle(): Promise<void>;
  /**
   * Kills the execution environments running an invocation of the function now, as Lambda
   * environments can die: those invocations fail with Runtime.ExitError. Returns how many died.
   */
  terminateRunning(functionName: string): number;
  /** The local CloudWatch: the metrics collected, the stack's alarms evaluated, stats.json. */
  metrics: Monitor;
  /** Carries out the stack's S3 lifecycle rules now (as at `now`, for tests), as the periodic sweep does. */
  sweepLifecycle(now?: number): Promise<SweepReport>;
  stop(): Promise<void>;
}

/** Brings the whole pipeline up on 127.0.0.1, driven by the synthesized stack. */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const { log } = options;
  const stage = options.stage ?? defaultStage();
  const stackFile = options.stackFile ?? defaultStackFile(undefined, stage);
  // Resolved once, here: the emulators run in folders of their own, where a relative path would
  // name another folder.
  const stateDir = resolve(options.stateDir ?? defaultStateDir());
  // A caller that picks some ports (a test) gets free ones for the rest, never a default: a
  // second such stack would find it taken.
  const ports: StackPorts = { ...(options.ports ? await freePorts() : DEFAULT_PORTS), ...options.ports };
  const shardCount = options.shardCount ?? 1;
  const { tf, inventory } = readInventory(stackFile);
  const rules = lifecycleRules(tf, inventory);
  const daySeconds = options.lifecycleDaySeconds ?? DAY_SECONDS;

  if (options.reset) {
    rmSync(stateDir, { recursive: true, force: true });
    log.info(`reset: removed ${stateDir}`);
  }
  mkdirSync(stateDir, { recursive: true });
  // Fail on a taken port before starting anything, naming the option that moves it, or on a
  // missing web build.
  await assertPortsFree(ports);
  const webDir = options.webDir ?? defaultWebDir();
  assertWebBuilt(webDir);
  const webUrl = localWebUrl(ports.web);

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

  let emulators: Emulators | undefined;
  try {
    emulators = await startEmulators(stateDir, ports, log);
    const started = emulators;
    stoppers.push(() => started.stop());
    const { endpoints } = emulators;
    const region = inventory.region;
    const s3 = localS3Client(endpoints.s3, region);
    const kinesis = localKinesisClient(endpoints.kinesis, region);
    const cognito = localCognitoClient(endpoints.cognito, region);
    const dynamodb = localDynamoDbClient(endpoints.dynamodb, region);
    stoppers.push(async () => {
      s3.destroy();
      kinesis.destroy();
      cognito.destroy();
      dynamodb.destroy();
    });

    const { ids, state } = await bootstrap({
      stateDir,
      inventory,
      cognito,
      s3,
      kinesis,
      cognitoEndpoint: endpoints.cognito,
      webUrl,
      shardCount,
      log,
    });
    await createTables(dynamodb, inventory, log);
    await applyBucketCors(s3, inventory, originOf(webUrl));
    const model = buildRuntimeModel(tf, inventory, ids);
    const lookup = createLookup(tf, inventory, ids);
    const metrics = new Monitor({
      tf,
      resolve: (value, where) => interpolate(value, lookup, where),
      functions: model.functions,
      stateDir,
      log,
    });
    // Stopped after everything that feeds it, with a last evaluation and stats.json write.
    stoppers.push(async () => metrics.stop());
    // The stack's S3 lifecycle rules, carried out by a local sweep (lifecycle/): at start, then
    // once per local day.
    const timeoutOf = (name: string) => model.functions.find((f) => f.name === name)?.timeoutSeconds ?? 0;
    checkDayLength(rules, daySeconds, {
      api: Math.max(0, ...model.routes.map((r) => timeoutOf(r.functionName))),
    });
    const lifecycle = startLifecycleSweeper({ s3, rules, daySeconds, stateDir, log });
    stoppers.push(() => lifecycle.stop());

    const hooks: ExtensionHooks[] = [];
    for (const extension of options.extensions ?? []) {
      const added = await extension.setup({ model, endpoints, stateDir, shardCount, log });
      hooks.push(added);
      if (added.close) stoppers.push(added.close);
    }
    const functionEndpoints = Object.assign({ ...endpoints }, ...hooks.map((h) => h.functionEndpoints));

    const runner: FunctionRunner = createFunctionRunner({
      functions: model.functions,
      cacheDir: join(stateDir, 'functions'),
      region,
      accountId: LOCAL_ACCOUNT_ID,
      log,
      onFunctionLog: (fn, line) => {
        if (!metrics.functionLine(fn, line)) options.onFunctionLog?.(fn, line);
      },
      onInvoke: (fn, event, result) => {
        metrics.invoked(fn, result);
        options.onInvoke?.(fn, event, result);
      },
      baseEnv: functionBaseEnv({ ...functionEndpoints, dynamodb: endpoints.dynamodb }),
    });
    stoppers.push(() => runner.close());
    // One environment of every function must start before anything may call it, and before the
    // stack says it is ready: a function that cannot initialise (its bundle cannot be unpacked,
    // the disk is full, its init code throws) fails the start with one line saying why.
    await runner.warm();
    const invoker = hooks.reduce<Invoker>((inner, h) => h.wrapInvoker?.(inner) ?? inner, runner);

    const gateway = await startGateway({
      host: '127.0.0.1',
      port: ports.api,
      routes: model.routes,
      invoker,
      log,
      onResponse: (status, ms) => metrics.apiResponse(status, ms),
      ...(model.cors ? { cors: model.cors } : {}),
    });
    stoppers.push(() => gateway.close());

    // The web client, as CloudFront serves it on AWS: the same page, its config.json from this stack.
    const issuer = `${endpoints.cognito}/${ids.userPoolId}`;
    const webConfig: WebConfig = {
      version: 1,
      apiUrl: gateway.url,
      region,
      auth: {
        clientId: ids.clientId,
        issuer,
        // cognito-local has no /logout and no /oauth2/revoke: signing out forgets the tokens.
        ...hostedUiEndpoints(endpoints.cognito, { logout: false, revoke: false }),
        scopes: [...WEB_SCOPES],
      },
      adminGroup: inventory.adminGroup ?? '',
    };
    const origins = {
      api: new URL(gateway.url).origin,
      auth: new URL(endpoints.cognito).origin,
      // Where the functions' presigned URLs point (a fault-injection proxy, when one stands between).
      s3: new URL(functionEndpoints.s3).origin,
    };
    const web = await startWebServer({
      port: ports.web,
      dir: webDir,
      config: () => webConfig,
      csp: () => ({
        header: webContentSecurityPolicy(origins, { https: false, delivery: 'header' }),
        meta: webContentSecurityPolicy(origins, { https: false, delivery: 'meta' }),
      }),
      log,
    });
    stoppers.push(() => web.close());

    const checkpoints = createFileCheckpointStore(join(stateDir, 'checkpoints.json'));
    const pollers = model.mappings.map((mapping) =>
      startPoller({
        mapping,
        kinesis,
        s3,
        invoker,
        checkpoints,
        log,
        region,
        accountId: LOCAL_ACCOUNT_ID,
        observer: metrics.poller,
      }),
    );
    stoppers.push(async () => {
      await Promise.all(pollers.map((p) => p.stop()));
    });

    watchEmulators(emulators, () => stopped, stop, log, options.onFatal);

    // Upload sessions never completed: swept at start and every few minutes, by the table.
    const uploadsTable = model.functions
      .map((fn) => fn.environment[FUNCTION_ENV.uploadsTable])
      .find((name) => name !== undefined);
    const dataBucket = bucketsByRole(inventory).data;
    if (uploadsTable && dataBucket) {
      const sweep = () =>
        sweepExpiredSessions({
          dynamodb,
          s3,
          tableName: uploadsTable,
          bucket: dataBucket,
          now: new Date(),
          log,
        }).catch((error: unknown) =>
          log.warn(`sweeping expired upload sessions failed: ${(error as Error).message}`),
        );
      await sweep();
      const timer = setInterval(() => void sweep(), SWEEP_INTERVAL_MS);
      timer.unref();
      stoppers.push(async () => clearInterval(timer));
    }

    const config: LocalConfig = {
      webUrl: web.url,
      apiUrl: gateway.url,
      region,
      stage,
      cognito: {
        endpoint: endpoints.cognito,
        userPoolId: ids.userPoolId,
        clientId: ids.clientId,
        issuer: `${endpoints.cognito}/${ids.userPoolId}`,
      },
      s3: {
        endpoint: endpoints.s3,
        accessKeyId: S3RVER_CREDENTIALS.accessKeyId,
        secretAccessKey: S3RVER_CREDENTIALS.secretAccessKey,
        forcePathStyle: true,
        buckets: bucketsByRole(inventory),
      },
      kinesis: { endpoint: endpoints.kinesis, streamName: inventory.streams[0]?.name ?? '' },
      dynamodb: { endpoint: endpoints.dynamodb, tables: inventory.tables.map((t) => String(t.values.name)) },
      users: state.users,
      adminGroup: inventory.adminGroup,
      ...Object.assign({}, ...hooks.map((h) => h.localConfig?.())),
      stats: { file: metrics.statsFile, intervalMs: metrics.intervalMs, alarms: metrics.alarmNames },
      pid: process.pid,
      startedAt: new Date().toISOString(),
    };
    metrics.start();
    writeLocalConfig(stateDir, config);
    return {
      config,
      model,
      stateDir,
      children: emulators.all.map((c) => ({ name: c.name, pid: c.pid })),
      idle: async () => {
        await Promise.all(pollers.map((p) => p.idle()));
      },
      terminateRunning: (functionName) => runner.terminateRunning(functionName),
      metrics,
      sweepLifecycle: (now) => lifecycle.sweep(now),
      stop,
    };
  } catch (error) {
    // Before stopping them: whether an emulator died is what explains the error.
    const explained = await explainStartFailure(error, emulators);
    await stop();
    throw explained;
  }
}

/** What every function's environment holds before its own variables: credentials and endpoints. */
function functionBaseEnv(endpoints: {
  s3: string;
  kinesis: string;
  dynamodb: string;
}): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_S3: endpoints.s3,
    AWS_ENDPOINT_URL_KINESIS: endpoints.kinesis,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    // The functions' one local seam: s3rver serves path-style URLs only.
    [FUNCTION_ENV.s3ForcePathStyle]: 'true',
    AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
    AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
    TZ: 'UTC',
    // Lambda runs Node 22; the SDK's notice about Node 20 only concerns the local host.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    PATH: process.env.PATH ?? '',
  };
}

/** Role -> local bucket name; `uploads` and `processed` are aliases of `data`, which holds both prefixes. */
function bucketsByRole(inventory: StackInventory): Record<string, string> {
  const buckets: Record<string, string> = {};
  for (const b of inventory.buckets) if (b.role) buckets[b.role] = b.name;
  if (buckets.data) {
    buckets.uploads ??= buckets.data;
    buckets.processed ??= buckets.data;
  }
  return buckets;
}

/** An emulator that dies while the stack runs takes the stack down, with one line saying what to do. */
function watchEmulators(
  emulators: Emulators,
  stopped: () => boolean,
  stop: () => Promise<void>,
  log: Log,
  onFatal: ((error: Error) => void) | undefined,
): void {
  for (const child of emulators.all) {
    void child.exited.then(({ code, signal }) => {
      if (stopped()) return;
      // Its own last words go to the log, before the one line.
      for (const line of child.stderrTail().split('\n').filter(Boolean)) log.warn(`${child.name}: ${line}`);
      const error = new EmulatorError(
        `${child.name} stopped unexpectedly (${describeExit(code, signal)}); the local stack has shut down. ${RETRY_ADVICE}`,
      );
      void stop().then(() => onFatal?.(error));
    });
  }
}
