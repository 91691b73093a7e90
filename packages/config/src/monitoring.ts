/**
 * The names that the functions' metrics, the stack's alarms and dashboard, the local runtime's
 * alarm evaluation and `streamdrop stats` must agree on, declared once: the metric namespace,
 * every metric and its dimensions, the values a dimension may take, and every alarm.
 *
 * Dimensions stay low-cardinality on purpose (a CloudWatch metric is billed per combination of
 * dimension values): never an upload id, a user or a key — those belong in the logs.
 */
import { type FunctionId, stackName } from './names';

/** `Streamdrop/<stage>`: the namespace of every metric the functions emit (EMF), one per stage. */
export const metricsNamespace = (stage: string): string => `Streamdrop/${stage}`;

/** Dimension names of the functions' metrics. `service` is Powertools' own (POWERTOOLS_SERVICE_NAME). */
export const METRIC_DIMENSIONS = {
  service: 'service',
  /** Why an upload was refused: one of UPLOAD_REFUSAL_REASONS. */
  reason: 'reason',
  /** A streams proxy route, by its STREAM_PROXY_ROUTES key. */
  route: 'route',
  /** How a streams proxy call ended: one of PROXY_OUTCOMES. */
  outcome: 'outcome',
} as const;

/** The metrics the functions emit, by name; each with its unit and dimensions beyond `service`. */
export const METRICS = {
  /** Upload function: an upload answered 202 (stored, published, marked complete). */
  uploadsAccepted: 'UploadsAccepted',
  /** Upload function: the decoded bytes of accepted uploads. */
  uploadBytesAccepted: 'UploadBytesAccepted',
  /** Upload function: a repeated Idempotency-Key answered with its first response. */
  uploadsReplayed: 'UploadsReplayed',
  /** Upload function: an upload session opened (201: presigned URLs handed out). */
  uploadSessionsOpened: 'UploadSessionsOpened',
  /** Upload function: an upload deleted with everything it left (204). */
  uploadsDeleted: 'UploadsDeleted',
  /** Upload function: a request answered 4xx/5xx, dimension `reason`. */
  uploadsRefused: 'UploadsRefused',
  /** Processor: a record whose processed twin was written. */
  recordsProcessed: 'RecordsProcessed',
  /** Processor: a record whose processed twin was already there (a redelivery). */
  recordsSkipped: 'RecordsSkipped',
  /** Processor: a record written to the failures bucket (acknowledged, never retried). */
  recordsFailedPermanently: 'RecordsFailedPermanently',
  /** Processor: a record handed back to the event source mapping to be retried. */
  recordsRetried: 'RecordsRetried',
  /** Processor: milliseconds from the upload (its `uploadedAt`) to its processed twin. */
  processingLatency: 'ProcessingLatency',
  /** Processor: bytes of each upload it processed. */
  objectSize: 'ObjectSize',
  /** Streams proxy: one call, dimensions `route` and `outcome`. */
  proxyCalls: 'ProxyCalls',
} as const;
export type MetricName = (typeof METRICS)[keyof typeof METRICS];

/** Why an upload was refused, by HTTP status: the `reason` dimension of UploadsRefused. */
export const UPLOAD_REFUSAL_REASONS = {
  invalidRequest: 'invalid-request',
  unauthorized: 'unauthorized',
  inProgress: 'idempotency-in-progress',
  tooLarge: 'too-large',
  unsupportedMediaType: 'unsupported-media-type',
  keyReused: 'idempotency-key-reused',
  /** 503: a dependency (S3, Kinesis) failed; nothing was stored. The upload-503s alarm counts these. */
  unavailable: 'unavailable',
  internalError: 'internal-error',
  /** 404 on the uploads routes: no such upload for this caller (another user's id included). */
  notFound: 'not-found',
  /** 410: an upload session past its completion deadline. */
  sessionExpired: 'session-expired',
  /** 409 on complete: parts (or the single PUT) not uploaded yet. */
  partsMissing: 'parts-missing',
  /** 422 on complete: the bytes uploaded are not the size the session declared. */
  sizeMismatch: 'size-mismatch',
  other: 'other',
} as const;
export type UploadRefusalReason = (typeof UPLOAD_REFUSAL_REASONS)[keyof typeof UPLOAD_REFUSAL_REASONS];

const REASON_BY_STATUS: Readonly<Record<number, UploadRefusalReason>> = {
  400: UPLOAD_REFUSAL_REASONS.invalidRequest,
  401: UPLOAD_REFUSAL_REASONS.unauthorized,
  409: UPLOAD_REFUSAL_REASONS.inProgress,
  413: UPLOAD_REFUSAL_REASONS.tooLarge,
  415: UPLOAD_REFUSAL_REASONS.unsupportedMediaType,
  422: UPLOAD_REFUSAL_REASONS.keyReused,
  500: UPLOAD_REFUSAL_REASONS.internalError,
  503: UPLOAD_REFUSAL_REASONS.unavailable,
};

/** The refusal reason of an HTTP status the upload function answered. */
export const uploadRefusalReason = (statusCode: number): UploadRefusalReason =>
  REASON_BY_STATUS[statusCode] ?? UPLOAD_REFUSAL_REASONS.other;

/** How a streams proxy call ended: the `outcome` dimension of ProxyCalls. */
export const PROXY_OUTCOMES = {
  ok: 'ok',
  /** 4xx other than 429: the caller's request (not an admin, not allowed, malformed). */
  refused: 'refused',
  /** 429: Kinesis throttled after the SDK's retries. */
  throttled: 'throttled',
  /** 5xx: Kinesis or the function failed. */
  failed: 'failed',
} as const;
export type ProxyOutcome = (typeof PROXY_OUTCOMES)[keyof typeof PROXY_OUTCOMES];

export const proxyOutcome = (statusCode: number): ProxyOutcome =>
  statusCode < 400
    ? PROXY_OUTCOMES.ok
    : statusCode === 429
      ? PROXY_OUTCOMES.throttled
      : statusCode < 500
        ? PROXY_OUTCOMES.refused
        : PROXY_OUTCOMES.failed;

/**
 * The stack's alarms, by the last part of their name (`streamdrop-<stage>-<suffix>`). Per-function
 * alarms are `<function>-errors` and `<function>-throttles` (functionAlarmName). docs/operations.md
 * has a runbook entry for each.
 */
export const ALARMS = {
  /** The processor's IteratorAge (Maximum) over STREAMDROP_ALARM_ITERATOR_AGE_SECONDS. */
  iteratorAge: 'processor-iterator-age',
  /** Permanent failures plus on-failure destination records: any upload that needs a redrive. */
  failures: 'failures',
  /** The share of API requests answered 5xx (metric math) over STREAMDROP_ALARM_API_5XX_PERCENT. */
  api5xxRate: 'api-5xx-rate',
  /** Uploads refused 503 (nothing stored) over STREAMDROP_ALARM_UPLOAD_503S in five minutes. */
  upload503s: 'upload-503s',
  /** Kinesis refused writes for throughput (WriteProvisionedThroughputExceeded). */
  kinesisWriteThrottles: 'kinesis-write-throttles',
} as const;
export type AlarmKey = keyof typeof ALARMS;

/** The per-function alarms: Lambda's own Errors and Throttles of each function. */
export const FUNCTION_ALARMS = { errors: 'errors', throttles: 'throttles' } as const;
export type FunctionAlarm = (typeof FUNCTION_ALARMS)[keyof typeof FUNCTION_ALARMS];

/** `streamdrop-<stage>-<suffix>`: an alarm's name. */
export const alarmName = (stage: string, suffix: string): string => `${stackName(stage)}-${suffix}`;

/** `streamdrop-<stage>-<function>-errors` / `-throttles`. */
export const functionAlarmName = (stage: string, fn: FunctionId, alarm: FunctionAlarm): string =>
  alarmName(stage, `${fn}-${alarm}`);

/**
 * The S3 request metrics filter on the failures bucket that counts the on-failure destination's
 * records (its `FilterId` dimension): Lambda writes them with no code of ours running, so no
 * metric of ours can count them.
 */
export const ON_FAILURE_METRICS_FILTER = 'on-failure-records';

/** Defaults of the alarm thresholds (deploy variables STREAMDROP_ALARM_*). */
export const ALARM_DEFAULTS = {
  /** Seconds the oldest record a processor batch holds may wait before the alarm fires. */
  iteratorAgeSeconds: 300,
  /** Errors of one function in one minute. */
  functionErrors: 1,
  /** Throttled invocations of one function in one minute. */
  functionThrottles: 1,
  /** Failed-permanently plus on-failure records in one minute. */
  failures: 1,
  /** Percent of API requests answered 5xx over five minutes. */
  api5xxPercent: 5,
  /** Uploads answered 503 in five minutes. */
  upload503s: 5,
  /** Kinesis write throttles in five minutes (the upload function's SDK retries absorb a few). */
  kinesisWriteThrottles: 10,
} as const;

/** The dashboard's name: `streamdrop-<stage>`. */
export const dashboardName = (stage: string): string => stackName(stage);
