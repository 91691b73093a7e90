import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { S3Client } from '@aws-sdk/client-s3';
import { TEST_BUCKET, TEST_UPLOAD_ID, TEST_USER_SUB } from '@streamdrop/events/testing';
import { itemFromRecord, type UploadRecord, UploadsTable } from '@streamdrop/lambda-kit/uploads-table';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import type { SessionDeps, SessionRequest } from '../src/sessions/deps';

export const ddbMock = mockClient(DynamoDBClient);
export const TEST_TABLE = 'streamdrop-test-uploads';
export const NOW = new Date('2026-12-06T10:00:00.000Z');
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };

export interface SessionTestDeps extends SessionDeps {
  logger: { info: jest.Mock; warn: jest.Mock; error: jest.Mock };
  metrics: { accepted: jest.Mock; opened: jest.Mock; deleted: jest.Mock };
}

export function makeSessionDeps(overrides: Partial<SessionDeps> = {}): SessionTestDeps {
  const table = new UploadsTable(new DynamoDBClient({ region: 'us-east-1', credentials }), TEST_TABLE);
  return {
    s3: new S3Client({ region: 'us-east-1', credentials }),
    presignS3: new S3Client({
      region: 'us-east-1',
      credentials,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    }),
    kinesis: new KinesisClient({ region: 'us-east-1', credentials }),
    table: () => table,
    config: {
      dataBucket: TEST_BUCKET,
      streamName: 'streamdrop-test-uploads',
      maxDirectUploadBytes: 5 * 1024 ** 3,
      uploadUrlTtlSeconds: 900,
      maxUploadBytes: 4 * 1024 * 1024,
    },
    now: () => NOW,
    newId: () => TEST_UPLOAD_ID,
    ...overrides,
    logger: { info: jest.fn(), warn: jest.fn(), error: jest.fn() },
    metrics: { accepted: jest.fn(), opened: jest.fn(), deleted: jest.fn() },
  };
}

export function sessionRequest(overrides: Partial<SessionRequest> = {}): SessionRequest {
  return {
    requestId: 'Req1=',
    userSub: TEST_USER_SUB,
    contentType: 'application/json',
    body: undefined,
    isBase64Encoded: false,
    uploadId: TEST_UPLOAD_ID,
    query: {},
    ...overrides,
  };
}

export const KEY = `uploads/${TEST_USER_SUB}/${TEST_UPLOAD_ID}/big.bin`;

/** A session as the table holds it after `POST /uploads` with `size`. */
export function sessionRecord(overrides: Partial<UploadRecord> = {}): UploadRecord {
  return {
    userSub: TEST_USER_SUB,
    uploadId: TEST_UPLOAD_ID,
    createdAt: NOW.toISOString(),
    filename: 'big.bin',
    key: KEY,
    size: 12,
    contentType: 'application/octet-stream',
    status: 'awaiting-upload',
    origin: 'direct',
    expiresAt: new Date(NOW.getTime() + 900_000).toISOString(),
    completeBy: new Date(NOW.getTime() + 900_000 + 3_600_000).toISOString(),
    ...overrides,
  };
}

export const asItem = (record: UploadRecord) => itemFromRecord(record);
