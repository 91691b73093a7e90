import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { config } from './config';
import { UPLOAD_QUEUE_SIZE } from './process-record';

// Each record in flight holds one GetObject stream and up to UPLOAD_QUEUE_SIZE part uploads,
// plus one spare for HeadObject / the failure record.
const maxSockets = config.concurrency * (UPLOAD_QUEUE_SIZE + 2);

/** Built once per container; the endpoint for local emulators comes from AWS_ENDPOINT_URL_S3. */
export const s3 = new S3Client({
  requestHandler: new NodeHttpHandler({
    httpAgent: new HttpAgent({ keepAlive: true, maxSockets }),
    httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets }),
    connectionTimeout: 5_000,
    requestTimeout: 60_000,
  }),
  forcePathStyle: config.forcePathStyle,
  // s3rver stores streamed bodies with their aws-chunked framing unless checksums are off,
  // so the local seam turns them off; real S3 keeps the SDK's default integrity checks.
  ...(config.forcePathStyle && {
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  }),
});
