export { EventsError, ValidationError } from './errors';
export {
  FAILURE_RECORD_VERSION,
  type FailureRecordV1,
  FailureRecordV1Schema,
  failureRecordKey,
  PROCESSOR_FAILURES_PREFIX,
} from './failure-record';
export {
  codePointLabel,
  filenameProblem,
  isValidFilename,
  LOOK_ALIKE_SEPARATORS,
  MAX_FILENAME_BYTES,
} from './filename';
export { IDEMPOTENCY_PREFIX, type IdempotencyRecord, IdempotencyRecordSchema } from './idempotency-record';
export {
  PROCESSED_PREFIX,
  parseUploadKey,
  processedKey,
  processedKeyFor,
  UPLOADS_PREFIX,
  type UploadKeyParts,
  uploadKey,
} from './keys';
export * from './on-failure-record';
export {
  type DescribeStreamResponse,
  DescribeStreamResponseSchema,
  EpochSecondsSchema,
  ExplicitHashKeySchema,
  type ListStreamsResponse,
  ListStreamsResponseSchema,
  MAX_PARTITION_KEY_CHARS,
  MAX_PUT_RECORDS_BYTES,
  MAX_PUT_RECORDS_COUNT,
  MAX_RECORD_BYTES,
  PartitionKeySchema,
  type PutRecordRequest,
  PutRecordRequestSchema,
  type PutRecordResponse,
  PutRecordResponseSchema,
  type PutRecordsRequest,
  type PutRecordsRequestEntry,
  PutRecordsRequestEntrySchema,
  PutRecordsRequestSchema,
  type PutRecordsResponse,
  PutRecordsResponseSchema,
  type PutRecordsResultEntry,
  PutRecordsResultEntrySchema,
  parsePutRecordRequest,
  parsePutRecordsRequest,
  ShardSchema,
  STREAM_PROXY_ROUTES,
  StreamDescriptionSchema,
  StreamNameSchema,
  type StreamProxyResponse,
  type StreamProxyRoute,
  type StreamSummary,
  StreamSummarySchema,
} from './stream-proxy';
export {
  decodeUploadEvent,
  encodeUploadEvent,
  UPLOAD_EVENT_VERSION,
  type UploadEventV1,
  UploadEventV1Schema,
} from './upload-event';
export {
  ContentTypeSchema,
  contentTypeProblem,
  DEFAULT_MAX_UPLOAD_BYTES,
  decodeContent,
  decodedSizeUpperBound,
  defaultContentType,
  FilenameSchema,
  parseUploadRequest,
  type UploadEncoding,
  type UploadRequest,
  type UploadRequestInput,
  UploadRequestSchema,
} from './upload-request';
export {
  type ErrorResponse,
  ErrorResponseSchema,
  type UploadResponse,
  UploadResponseSchema,
} from './upload-response';
export { type ReadWebConfig, WebConfigSchema } from './web-config';
