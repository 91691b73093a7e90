import type { Logger } from '@aws-lambda-powertools/logger';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { S3Client } from '@aws-sdk/client-s3';
import type { UploadsTable } from '@streamdrop/lambda-kit/uploads-table';
import type { Config } from '../config';
import type { UploadMetrics } from '../metrics';

/** What the uploads routes need beyond the inline path: the table, and a client that presigns. */
export interface SessionDeps {
  s3: Pick<S3Client, 'send'>;
  /** Presigns only (checksums where S3 requires them): see @streamdrop/lambda-kit/s3. */
  presignS3: S3Client;
  kinesis: Pick<KinesisClient, 'send'>;
  /** The table of upload statuses; a ConfigError when the stack set none. */
  table(): UploadsTable;
  config: Pick<
    Config,
    'dataBucket' | 'streamName' | 'maxDirectUploadBytes' | 'uploadUrlTtlSeconds' | 'maxUploadBytes'
  >;
  now(): Date;
  newId(): string;
  logger?: Pick<Logger, 'info' | 'warn' | 'error'>;
  metrics?: Pick<UploadMetrics, 'accepted' | 'opened' | 'deleted'>;
}

/** One request to the uploads routes, free of API Gateway's event shape. */
export interface SessionRequest {
  requestId: string;
  /** The JWT's `sub` claim, if it is a string at all. */
  userSub: string | undefined;
  contentType: string | undefined;
  body: string | undefined;
  isBase64Encoded: boolean;
  /** `{id}` of the path, when the route has one. */
  uploadId: string | undefined;
  /** The query string's parameters (`limit`, `cursor`). */
  query: Readonly<Record<string, string>>;
}
