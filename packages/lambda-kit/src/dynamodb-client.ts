import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { keepAliveHandler } from './keep-alive-handler';

/**
 * A DynamoDB client for a function behind API Gateway or a stream: HTTP/1.1 keep-alive (one
 * connection reused across invocations), timeouts that keep the SDK's retries well inside API
 * Gateway's 30 s. The endpoint for the local emulator comes from AWS_ENDPOINT_URL_DYNAMODB.
 */
export function dynamoDbClient(): DynamoDBClient {
  return new DynamoDBClient({
    maxAttempts: 3,
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
