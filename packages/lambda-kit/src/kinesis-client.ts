import { KinesisClient } from '@aws-sdk/client-kinesis';
import { keepAliveHandler } from './keep-alive-handler';

export interface KinesisClientOptions {
  /** Tries per call, the first included (standard retry mode, jittered backoff). */
  readonly maxAttempts: number;
}

/**
 * A Kinesis client for a function behind API Gateway. The endpoint for local emulators comes
 * from the SDK's own AWS_ENDPOINT_URL_KINESIS.
 */
export function kinesisClient({ maxAttempts }: KinesisClientOptions): KinesisClient {
  // Kinesis defaults to HTTP/2 with a new session per request: twice the CPU per call, and
  // kinesalite only speaks HTTP/1.1. Timeouts keep maxAttempts tries well inside API Gateway's 30 s.
  return new KinesisClient({
    maxAttempts,
    retryMode: 'standard',
    // See s3-client.ts: the middleware stack is resolved once per command class.
    cacheMiddleware: true,
    requestHandler: keepAliveHandler({
      connectionTimeout: 2_000,
      requestTimeout: 5_000,
      throwOnRequestTimeout: true,
    }),
  });
}
