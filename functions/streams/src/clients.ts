import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { config } from './config';

// The endpoint for local emulators comes from the SDK's own AWS_ENDPOINT_URL_KINESIS.
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
