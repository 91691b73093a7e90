/**
 * The local runtime's model of the synthesized stack, with every Terraform reference already
 * resolved to the local emulators' names. Built by stack/model.ts (readInventory and
 * buildRuntimeModel) from cdk.tf.json; consumed by the gateway, the poller, the function runner
 * and the bootstrap.
 */

export interface FunctionModel {
  /** Terraform address, e.g. `aws_lambda_function.functions_upload_fn_1A2B3C`. */
  address: string;
  /** The function's name (`function_name`). */
  name: string;
  /** `index.handler` -> module `index`, export `handler`. */
  handler: string;
  timeoutSeconds: number;
  memoryMb: number;
  /** Absolute path of the zip Terraform would upload. */
  archivePath: string;
  /** Environment with references resolved to local values. */
  environment: Record<string, string>;
}

export interface JwtAuthorizerModel {
  name: string;
  /** Issuer the gateway requires, mapped onto the local Cognito pool (`http://127.0.0.1:9229/<poolId>`). */
  issuer: string;
  jwksUri: string;
  /** Accepted `aud` values, or `client_id` values when a token has no `aud` (Cognito access tokens). */
  audience: string[];
  /** e.g. `$request.header.Authorization`. */
  identitySource: string;
}

export interface RouteModel {
  /** `POST /uploads`, `GET /streams/{name}`, `$default`. */
  routeKey: string;
  functionName: string;
  /** `NONE` or `JWT`. */
  authorizationType: 'NONE' | 'JWT';
  authorizer?: JwtAuthorizerModel;
  /** Scopes the route requires (any of them), empty when none. */
  authorizationScopes: string[];
  /** Integration timeout in ms (HTTP API max 30,000). */
  timeoutMs: number;
  payloadFormatVersion: '2.0' | '1.0';
}

export type StartingPosition = 'LATEST' | 'TRIM_HORIZON' | 'AT_TIMESTAMP';

export interface EventSourceMappingModel {
  address: string;
  /** A stable id standing in for the mapping's UUID (used in on-failure destination keys and checkpoints). */
  uuid: string;
  functionName: string;
  streamName: string;
  streamArn: string;
  batchSize: number;
  maximumBatchingWindowSeconds: number;
  startingPosition: StartingPosition;
  /** Epoch seconds, only with AT_TIMESTAMP. */
  startingPositionTimestamp?: number;
  parallelizationFactor: number;
  reportBatchItemFailures: boolean;
  bisectBatchOnFunctionError: boolean;
  /** -1 means retry until the record expires. */
  maximumRetryAttempts: number;
  /** -1 means no limit (until the stream's retention). */
  maximumRecordAgeSeconds: number;
  /** Local bucket name of an S3 on-failure destination, when there is one. */
  onFailureBucket?: string;
  enabled: boolean;
}

/** What a Lambda invocation produced, as the Lambda service reports it to its caller. */
export type InvokeResult =
  | { ok: true; result: unknown; durationMs: number }
  | {
      ok: false;
      /** `timeout` when the function ran past its timeout; `error` when the handler threw or the runtime crashed. */
      kind: 'error' | 'timeout';
      error: { errorType: string; errorMessage: string };
      durationMs: number;
    };

/** Invokes a function of the stack by name, with a Lambda-like context built by the runner. */
export interface Invoker {
  invoke(functionName: string, event: unknown, observer?: InvocationObserver): Promise<InvokeResult>;
}

/**
 * The execution environment serving one invocation. Lambda environments can die mid-invocation
 * (out of memory, a fatal native error); `terminate` makes this one die the same way.
 */
export interface EnvironmentHandle {
  readonly functionName: string;
  /**
   * Kills the environment: the invocation fails with Runtime.ExitError, even when its handler has
   * already answered but the answer has not left the environment yet (see `answered`). Does
   * nothing once the invocation has ended.
   */
  terminate(): void;
}

/** Follows one invocation through its execution environment (e.g. to inject crashes, or to trace). */
export interface InvocationObserver {
  /** The event has reached an environment, after any cold start: the handler runs from now on. */
  started?(environment: EnvironmentHandle): void;
  /** The handler has answered; the answer leaves the environment only after this returns. */
  answered?(environment: EnvironmentHandle): void;
}

/** Where the runtime writes progress; tests pass a silent one. */
export interface Log {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const silentLog: Log = { info: () => undefined, warn: () => undefined, error: () => undefined };
