import { KinesisClient, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { PutObjectCommand, PutObjectTaggingCommand, S3Client } from '@aws-sdk/client-s3';
import {
  type HttpEventOptions,
  makeHttpApiEvent,
  TEST_BUCKET,
  TEST_UPLOAD_ID,
} from '@streamdrop/events/testing';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { acceptUpload, type UploadDeps } from '../src/upload';
import { uploadInputFromEvent } from '../src/upload-input';

// Stubbing the prototypes catches every client, including the module-scope ones in src/clients.
export const s3Mock = mockClient(S3Client);
export const kinesisMock = mockClient(KinesisClient);

export const TEST_STREAM_NAME = 'streamdrop-test-uploads';
export const TEST_VERSION_ID = '3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY';
/** The smallest upload: the README's first example, `hello kinesis` as demo.txt. */
export const DEMO_BODY = { filename: 'demo.txt', content: 'hello kinesis' };
/** Matches `uploadedAt` of makeUploadEvent(). */
export const TEST_NOW = new Date('2026-11-21T10:00:00.000Z');

export interface TestDeps extends UploadDeps {
  logger: { info: jest.Mock; error: jest.Mock };
}

export function makeDeps(overrides: Partial<Omit<UploadDeps, 'logger'>> = {}): TestDeps {
  return {
    s3: new S3Client({ region: 'us-east-1' }),
    kinesis: new KinesisClient({ region: 'us-east-1' }),
    config: { dataBucket: TEST_BUCKET, streamName: TEST_STREAM_NAME, maxUploadBytes: 4 * 1024 * 1024 },
    now: () => TEST_NOW,
    newId: () => TEST_UPLOAD_ID,
    ...overrides,
    logger: { info: jest.fn(), error: jest.fn() },
  };
}

/** Runs the core on an HTTP API event built from `options`, as the handler would; resolves with its answer. */
export async function upload(options: HttpEventOptions, deps: UploadDeps = makeDeps()) {
  return (await acceptUpload(uploadInputFromEvent(makeHttpApiEvent(options)), deps)).response;
}

/** Resets both mocks to the happy path: a versioned bucket and a stream that takes the record. */
export function acceptEverything(): void {
  s3Mock.reset();
  kinesisMock.reset();
  s3Mock.on(PutObjectCommand).resolves({ VersionId: TEST_VERSION_ID, ETag: '"etag"' });
  s3Mock.on(PutObjectTaggingCommand).resolves({ VersionId: TEST_VERSION_ID });
  kinesisMock.on(PutRecordCommand).resolves({ ShardId: 'shardId-000000000000', SequenceNumber: '1' });
}

export function expectNothingStoredOrPublished(): void {
  expect(s3Mock).not.toHaveReceivedCommand(PutObjectCommand);
  expect(s3Mock).not.toHaveReceivedCommand(PutObjectTaggingCommand);
  expect(kinesisMock).not.toHaveReceivedCommand(PutRecordCommand);
}

/** Every argument the logger got, as one string: for asserting what must never be logged. */
export function loggedText(logger: TestDeps['logger']): string {
  return JSON.stringify([...logger.info.mock.calls, ...logger.error.mock.calls], (_key, value) =>
    value instanceof Error ? { name: value.name, message: value.message } : value,
  );
}
