import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { config } from './config';

// Endpoints (AWS_ENDPOINT_URL_S3/_KINESIS) and checksum modes come from the SDK's own
// environment variables, so the local emulators need no code path of their own; path-style
// addressing is the one exception, because s3rver understands nothing else.
export const s3 = new S3Client({ forcePathStyle: config.s3ForcePathStyle });

// Kinesis defaults to HTTP/2 with a new session per request: twice the CPU per call, and
// kinesalite only speaks HTTP/1.1. Keep-alive agents reuse one connection across invocations.
// Timeouts keep maxAttempts tries (standard mode, jittered backoff) well inside API Gateway's 30 s.
export const kinesis = new KinesisClient({
  maxAttempts: config.kinesisMaxAttempts,
  retryMode: 'standard',
  requestHandler: new NodeHttpHandler({
    httpAgent: new HttpAgent({ keepAlive: true }),
    httpsAgent: new HttpsAgent({ keepAlive: true }),
    connectionTimeout: 2_000,
    requestTimeout: 5_000,
    throwOnRequestTimeout: true,
  }),
});
