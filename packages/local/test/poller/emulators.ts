import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  KinesisClient,
  PutRecordsCommand,
  type PutRecordsResultEntry,
} from '@aws-sdk/client-kinesis';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';

// kinesalite and s3rver are CommonJS without types; jest runs these tests as CommonJS.
type KinesaliteFactory = (options: {
  createStreamMs: number;
  deleteStreamMs: number;
  updateStreamMs: number;
  shardLimit: number;
}) => Server;
interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverClass = new (options: {
  port: number;
  address: string;
  silent: boolean;
  directory: string;
  configureBuckets: Array<{ name: string }>;
}) => S3rverInstance;

const kinesalite = require('kinesalite') as KinesaliteFactory;
const S3rver = require('s3rver') as S3rverClass;

export const REGION = 'us-east-1';
export const ACCOUNT = '123456789012';
export const FAILURES_BUCKET = 'failures';

export interface Emulators {
  kinesis: KinesisClient;
  s3: S3Client;
  close(): Promise<void>;
}

/** Starts kinesalite and s3rver on loopback ports and returns clients for them. */
export async function startEmulators(): Promise<Emulators> {
  const kinesisServer = kinesalite({
    createStreamMs: 0,
    deleteStreamMs: 0,
    updateStreamMs: 0,
    shardLimit: 1000,
  });
  await new Promise<void>((resolve) => kinesisServer.listen(0, '127.0.0.1', resolve));
  const kinesisPort = (kinesisServer.address() as AddressInfo).port;

  const directory = await mkdtemp(join(tmpdir(), 'streamdrop-poller-s3-'));
  const s3Server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory,
    configureBuckets: [{ name: FAILURES_BUCKET }],
  });
  const { port: s3Port } = await s3Server.run();

  // kinesalite speaks HTTP/1.1 only; the SDK's Kinesis client would otherwise use HTTP/2.
  const kinesis = new KinesisClient({
    endpoint: `http://127.0.0.1:${kinesisPort}`,
    region: REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true }) }),
  });
  const s3 = new S3Client({
    endpoint: `http://127.0.0.1:${s3Port}`,
    region: REGION,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });

  return {
    kinesis,
    s3,
    async close() {
      kinesis.destroy();
      s3.destroy();
      await new Promise<void>((resolve, reject) =>
        kinesisServer.close((error) => (error ? reject(error) : resolve())),
      );
      await s3Server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

let streamCounter = 0;

/** Creates a fresh stream and waits until it is ACTIVE. */
export async function createStream(kinesis: KinesisClient, shardCount = 1): Promise<string> {
  streamCounter += 1;
  const name = `poller-test-${process.pid}-${streamCounter}`;
  await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: shardCount }));
  for (;;) {
    const out = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }));
    if (out.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return name;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export interface PutRecord {
  key: string;
  data: string;
}

/** Puts records in order with PutRecords; returns their sequence numbers. */
export async function putRecords(
  kinesis: KinesisClient,
  stream: string,
  records: PutRecord[],
): Promise<string[]> {
  const out = await kinesis.send(
    new PutRecordsCommand({
      StreamName: stream,
      Records: records.map((record) => ({ PartitionKey: record.key, Data: Buffer.from(record.data) })),
    }),
  );
  const entries: PutRecordsResultEntry[] = out.Records ?? [];
  return entries.map((entry) => {
    if (!entry.SequenceNumber) throw new Error(`PutRecords failed: ${entry.ErrorCode} ${entry.ErrorMessage}`);
    return entry.SequenceNumber;
  });
}

/** The objects a mapping wrote to the failures bucket, parsed. */
export async function readFailures(
  s3: S3Client,
  mappingUuid: string,
): Promise<Array<{ key: string; body: unknown }>> {
  const listed = await s3.send(
    new ListObjectsV2Command({ Bucket: FAILURES_BUCKET, Prefix: `aws/lambda/${mappingUuid}/` }),
  );
  const objects: Array<{ key: string; body: unknown }> = [];
  for (const object of listed.Contents ?? []) {
    if (!object.Key) continue;
    const got = await s3.send(new GetObjectCommand({ Bucket: FAILURES_BUCKET, Key: object.Key }));
    objects.push({ key: object.Key, body: JSON.parse((await got.Body?.transformToString()) ?? 'null') });
  }
  return objects;
}
