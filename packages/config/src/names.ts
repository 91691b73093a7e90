/**
 * Every name that two parts of streamdrop must agree on, declared once. The stack (infra)
 * sets environment variables, key prefixes, routes and outputs by these names; the functions,
 * the local runtime and the CLI read them by the same names. Nothing here imports anything.
 */

/** Environment variables the stack sets on a function and the function reads. */
export const FUNCTION_ENV = {
  /** The bucket of `uploads/`, `processed/` and `idempotency/`. */
  dataBucket: 'DATA_BUCKET',
  /** The bucket of failure records (processor and on-failure destination). */
  failuresBucket: 'FAILURES_BUCKET',
  /** The upload event stream (a name, not an ARN). */
  streamName: 'STREAM_NAME',
  maxUploadBytes: 'MAX_UPLOAD_BYTES',
  idempotencyTtlSeconds: 'IDEMPOTENCY_TTL_SECONDS',
  kinesisMaxAttempts: 'KINESIS_MAX_ATTEMPTS',
  processorConcurrency: 'PROCESSOR_CONCURRENCY',
  adminGroup: 'ADMIN_GROUP',
  allowedStreams: 'ALLOWED_STREAMS',
  /** Set only by the local runtime: s3rver serves path-style URLs only. */
  s3ForcePathStyle: 'S3_FORCE_PATH_STYLE',
  /** Powertools' service name, one per function. */
  serviceName: 'POWERTOOLS_SERVICE_NAME',
  /** Powertools Metrics' namespace (metricsNamespace(stage)), the same on every function of a stage. */
  metricsNamespace: 'POWERTOOLS_METRICS_NAMESPACE',
  /** The processor's transform, by its name (one of TRANSFORM_NAMES). */
  transform: 'TRANSFORM',
  /** Set by Lambda (and the local runtime), never by the stack: the function's memory in MB. */
  memorySize: 'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  /** The DynamoDB table of upload statuses (a name, not an ARN): see UPLOADS_TABLE. */
  uploadsTable: 'UPLOADS_TABLE',
  /** Largest upload sent straight to S3 through presigned URLs (an upload session). */
  maxDirectUploadBytes: 'MAX_DIRECT_UPLOAD_BYTES',
  /** How long the presigned PUT URLs of an upload session stay valid, in seconds. */
  uploadUrlTtlSeconds: 'UPLOAD_URL_TTL_SECONDS',
} as const;
export type FunctionEnvKey = keyof typeof FUNCTION_ENV;
export type FunctionEnvName = (typeof FUNCTION_ENV)[keyof typeof FUNCTION_ENV];

/** Key prefixes inside the buckets. IAM grants, lifecycle rules and the code all use these. */
export const KEY_PREFIXES = {
  /** Data bucket: `uploads/<sub>/<uploadId>/<filename>`, what users upload. */
  uploads: 'uploads/',
  /** Data bucket: `processed/<sub>/<uploadId>/<filename>`, what the processor writes. */
  processed: 'processed/',
  /** Data bucket: `idempotency/<sub>/<sha256(key)>.json`, Idempotency-Key records. */
  idempotency: 'idempotency/',
  /** Failures bucket: the processor's own failure records. */
  processorFailures: 'processor/',
  /** Failures bucket: where Lambda writes an event source mapping's on-failure records. */
  onFailureDestination: 'aws/lambda/',
} as const;

/**
 * The object tag that says whether an object under `uploads/` was acknowledged. The upload
 * function stores every object `pending`, publishes its upload event, and re-tags it `complete`
 * before it answers 2xx; the data bucket's lifecycle rule expires what is still `pending` after
 * pendingUploadExpiryDays, so an object that no answer acknowledged (its writer died, or failed
 * after storing it) is never kept forever, and an acknowledged one is never touched. Uploads
 * sent straight to S3 (presigned URLs) are to follow the same two steps.
 */
export const UPLOAD_STATE_TAG = {
  key: 'streamdrop-state',
  pending: 'pending',
  complete: 'complete',
} as const;

/**
 * The same tag's value on bytes a client sent straight to S3 (an upload session) that were not
 * completed yet: the presigned PUT and CreateMultipartUpload carry it. Nothing was published for
 * such an object, so the data bucket's lifecycle rule expires it after a day
 * (DIRECT_UPLOAD.abandonedExpiryDays); completing the session re-tags it `pending`, publishes its
 * event, then tags it `complete`, exactly as the inline path does.
 */
export const SESSION_UPLOAD_TAG = { key: UPLOAD_STATE_TAG.key, value: 'uploading' } as const;

export type UploadState =
  | typeof UPLOAD_STATE_TAG.pending
  | typeof UPLOAD_STATE_TAG.complete
  | typeof SESSION_UPLOAD_TAG.value;

/** `streamdrop-state=pending`: the `Tagging` of a PutObject (URL query form). */
export const uploadStateTagging = (state: UploadState): string =>
  `${encodeURIComponent(UPLOAD_STATE_TAG.key)}=${encodeURIComponent(state)}`;

/**
 * The DynamoDB table of upload statuses, one item per upload: the partition key is the caller's
 * Cognito sub, the sort key the upload id, so that every read and write names its owner and a
 * caller can never reach another's item. The local secondary index lists a caller's uploads newest
 * first by `createdAt` (ISO time + '#' + upload id, unique and sortable). `expiresAtEpoch` (DynamoDB
 * TTL) is set only while an upload session awaits its bytes, so abandoned sessions disappear.
 */
export const UPLOADS_TABLE = {
  partitionKey: 'userSub',
  sortKey: 'uploadId',
  createdIndex: 'byCreatedAt',
  createdKey: 'createdAt',
  ttlAttribute: 'expiresAtEpoch',
  /** The upload's object key, and a session's open multipart upload: what the local sweep removes. */
  objectKeyAttribute: 'key',
  multipartUploadAttribute: 'multipartUploadId',
} as const;

/** `streamdrop-<stage>-uploads`: the table's name (the stream has the same name, in another service). */
export const uploadsTableName = (stage: string): string => `streamdrop-${stage}-uploads`;

/** The routes of the HTTP API, as API Gateway names them in `routeKey`. */
export const ROUTES = {
  createUpload: 'POST /uploads',
  completeUpload: 'POST /uploads/{id}/complete',
  getUpload: 'GET /uploads/{id}',
  listUploads: 'GET /uploads',
  deleteUpload: 'DELETE /uploads/{id}',
  listStreams: 'GET /streams',
  describeStream: 'GET /streams/{name}',
  putRecord: 'PUT /streams/{name}/record',
  putRecords: 'PUT /streams/{name}/records',
} as const;
export type RouteKey = (typeof ROUTES)[keyof typeof ROUTES];

/** The administrators' Kinesis proxy: the routes the streams function serves. */
export const STREAM_PROXY_ROUTES = {
  listStreams: ROUTES.listStreams,
  describeStream: ROUTES.describeStream,
  putRecord: ROUTES.putRecord,
  putRecords: ROUTES.putRecords,
} as const;
export type StreamProxyRoute = keyof typeof STREAM_PROXY_ROUTES;

/** The uploads API: the routes the upload function serves (it routes by `routeKey`). */
export const UPLOAD_ROUTES = {
  createUpload: ROUTES.createUpload,
  completeUpload: ROUTES.completeUpload,
  getUpload: ROUTES.getUpload,
  listUploads: ROUTES.listUploads,
  deleteUpload: ROUTES.deleteUpload,
} as const;
export type UploadRoute = keyof typeof UPLOAD_ROUTES;

/** The stack's Terraform outputs, read back by the CLI (`--outputs`) and the scripts. */
export const STACK_OUTPUTS = {
  apiUrl: 'api_url',
  region: 'region',
  userPoolId: 'user_pool_id',
  userPoolClientId: 'user_pool_client_id',
  cognitoIssuer: 'cognito_issuer',
  hostedUiDomain: 'hosted_ui_domain',
  adminGroup: 'admin_group',
  dataBucket: 'data_bucket',
  failuresBucket: 'failures_bucket',
  streamName: 'stream_name',
  streamArn: 'stream_arn',
  uploadFunctionName: 'upload_function_name',
  processorFunctionName: 'processor_function_name',
  streamsFunctionName: 'streams_function_name',
  alarmTopicArn: 'alarm_topic_arn',
  /** The web client's URL (CloudFront), empty when STREAMDROP_WEB_HOSTING is false. */
  webUrl: 'web_url',
} as const;
export type StackOutputName = (typeof STACK_OUTPUTS)[keyof typeof STACK_OUTPUTS];

/** The functions, by the folder of their bundle (`dist/functions/<id>`) and their name's last part. */
export const FUNCTION_IDS = {
  upload: 'upload',
  processor: 'processor',
  streams: 'streams',
} as const;
export type FunctionId = (typeof FUNCTION_IDS)[keyof typeof FUNCTION_IDS];

/**
 * What each function reads from its environment, by FUNCTION_ENV key. The stack sets every
 * `fromStack` variable on the function (infra's tests check the synthesized stack); `optional`
 * ones have a default and are set only by Lambda itself or the local runtime. Each function's
 * config test checks that it reads exactly these.
 */
export const FUNCTION_READS = {
  upload: {
    fromStack: [
      'dataBucket',
      'streamName',
      'maxUploadBytes',
      'idempotencyTtlSeconds',
      'uploadsTable',
      'maxDirectUploadBytes',
      'uploadUrlTtlSeconds',
    ],
    optional: ['kinesisMaxAttempts', 's3ForcePathStyle'],
  },
  processor: {
    fromStack: ['dataBucket', 'failuresBucket', 'processorConcurrency', 'transform', 'uploadsTable'],
    optional: ['s3ForcePathStyle', 'memorySize'],
  },
  streams: {
    fromStack: ['adminGroup', 'allowedStreams'],
    optional: ['kinesisMaxAttempts'],
  },
} as const satisfies Record<
  FunctionId,
  { readonly fromStack: readonly FunctionEnvKey[]; readonly optional: readonly FunctionEnvKey[] }
>;

/**
 * The processor's transforms, by the `name` each stores with its output: the stack checks
 * STREAMDROP_TRANSFORM against these, the processor registers one implementation per name
 * (functions/processor/src/transforms). A new version of a transform gets a new name.
 */
export const TRANSFORM_NAMES = {
  uppercaseText: 'uppercase-text-v1',
  redactEmails: 'redact-emails-v1',
} as const;
export type TransformName = (typeof TRANSFORM_NAMES)[keyof typeof TRANSFORM_NAMES];

/** The transform of a stack that names none. */
export const DEFAULT_TRANSFORM: TransformName = TRANSFORM_NAMES.uppercaseText;

/** `streamdrop-<stage>`: the stack id, so `cdktf.out/stacks/streamdrop-<stage>/cdk.tf.json`. */
export const stackName = (stage: string): string => `streamdrop-${stage}`;

/** `streamdrop-<stage>-<id>`: a deployed function's name (also its role's and log group's). */
export const functionName = (stage: string, id: FunctionId): string => `${stackName(stage)}-${id}`;

/** `streamdrop-<id>`: a function's Powertools service name (the same on every stage). */
export const serviceName = (id: FunctionId): string => `streamdrop-${id}`;
