import { Agent } from 'node:http';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
} from '@aws-sdk/client-kinesis';
import { S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/** s3rver accepts only these credentials; cognito-local and kinesalite take any. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export function localS3Client(endpoint: string, region: string): S3Client {
  return new S3Client({
    endpoint,
    region,
    forcePathStyle: true,
    credentials: S3RVER_CREDENTIALS,
    // Otherwise s3rver stores a streamed body with its aws-chunked framing inside it, silently.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

export function localKinesisClient(endpoint: string, region: string): KinesisClient {
  return new KinesisClient({
    endpoint,
    region,
    credentials: S3RVER_CREDENTIALS,
    // kinesalite speaks HTTP/1.1 only; the SDK's default for Kinesis is HTTP/2.
    requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets: 32 }) }),
  });
}

export function localCognitoClient(endpoint: string, region: string): CognitoIdentityProviderClient {
  return new CognitoIdentityProviderClient({ endpoint, region, credentials: S3RVER_CREDENTIALS });
}

export function localDynamoDbClient(endpoint: string, region: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region, credentials: S3RVER_CREDENTIALS });
}

/**
 * The data of every record on a stream, shard by shard from TRIM_HORIZON (for checks of what was
 * published: tests, chaos runs). kinesalite answers all there is at once; an empty page at the
 * tip ends a shard.
 */
export async function allRecordData(kinesis: KinesisClient, streamName: string): Promise<Uint8Array[]> {
  const data: Uint8Array[] = [];
  const shards = (await kinesis.send(new ListShardsCommand({ StreamName: streamName }))).Shards ?? [];
  for (const shard of shards) {
    const start = await kinesis.send(
      new GetShardIteratorCommand({
        StreamName: streamName,
        ShardId: shard.ShardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    let iterator = start.ShardIterator;
    while (iterator) {
      const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
      const records = page.Records ?? [];
      data.push(...records.map((r) => r.Data ?? new Uint8Array()));
      if (records.length === 0 && !page.MillisBehindLatest) break;
      iterator = page.NextShardIterator;
    }
  }
  return data;
}
