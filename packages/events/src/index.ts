export { EventsError, ValidationError } from './errors';
export {
  FAILURE_RECORD_VERSION,
  type FailureRecordV1,
  FailureRecordV1Schema,
  failureRecordKey,
  PROCESSOR_FAILURES_PREFIX,
} from './failure-record';
export { filenameProblem, isValidFilename, MAX_FILENAME_BYTES } from './filename';
export {
  PROCESSED_PREFIX,
  parseUploadKey,
  processedKey,
  processedKeyFor,
  UPLOADS_PREFIX,
  type UploadKeyParts,
  uploadKey,
} from './keys';
export {
  decodeUploadEvent,
  encodeUploadEvent,
  UPLOAD_EVENT_VERSION,
  type UploadEventV1,
  UploadEventV1Schema,
} from './upload-event';
export {
  ContentTypeSchema,
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
