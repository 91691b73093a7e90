import { ProvisionedThroughputExceededException, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { DeleteObjectCommand, PutObjectCommand, S3ServiceException } from '@aws-sdk/client-s3';
import { ErrorResponseSchema, UploadResponseSchema } from '@streamdrop/events';
import {
  type HttpEventOptions,
  makeHttpApiEvent,
  makeLambdaContext,
  TEST_BUCKET,
  TEST_UPLOAD_ID,
  TEST_USER_SUB,
} from '@streamdrop/events/testing';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createConfig } from '../src/config';
import { createHandler } from '../src/handler';
import { logger } from '../src/logger';
import type { UploadDeps } from '../src/upload';
import { acceptEverything, DEMO_BODY, kinesisMock, makeDeps, s3Mock } from './support';

const REQUEST_ID = 'Zx9Yw8Vu7Ts6=';

function invoke(options: HttpEventOptions, deps: UploadDeps = makeDeps()) {
  const handler = createHandler(deps);
  return handler(makeHttpApiEvent({ requestId: REQUEST_ID, ...options }), makeLambdaContext());
}

function errorBody(response: APIGatewayProxyStructuredResultV2) {
  expect(response.headers?.['content-type']).toBe('application/json');
  return ErrorResponseSchema.parse(JSON.parse(response.body ?? ''));
}

beforeEach(acceptEverything);

describe('upload handler', () => {
  it('answers 202 with a JSON body that matches UploadResponseSchema', async () => {
    const response = await invoke({ body: DEMO_BODY });

    expect(response.statusCode).toBe(202);
    expect(response.headers?.['content-type']).toBe('application/json');
    const key = `uploads/${TEST_USER_SUB}/${TEST_UPLOAD_ID}/demo.txt`;
    expect(UploadResponseSchema.parse(JSON.parse(response.body ?? ''))).toEqual({
      message: 'Upload accepted; it will be processed shortly.',
      uploadId: TEST_UPLOAD_ID,
      file_key: key,
      s3: { bucket: TEST_BUCKET, key },
      requestId: REQUEST_ID,
    });
  });

  it.each([
    [401, { claims: null, body: DEMO_BODY }],
    [400, { body: { filename: '../x', content: 'x' } }],
    [413, { body: { filename: 'a', content: 'x'.repeat(17) } }],
    [415, { body: DEMO_BODY, headers: { 'content-type': 'text/plain' } }],
  ] as const)('answers %i with {message, requestId} as JSON', async (status, options) => {
    const deps = makeDeps({ config: { ...makeDeps().config, maxUploadBytes: 16 } });

    const response = await invoke(options, deps);

    expect(response.statusCode).toBe(status);
    expect(errorBody(response)).toEqual({ message: expect.any(String), requestId: REQUEST_ID });
    expect(s3Mock).not.toHaveReceivedCommand(PutObjectCommand);
  });

  it('tells the caller which field is wrong', async () => {
    const response = await invoke({ body: { filename: 'a\\b', content: 'x' } });

    expect(errorBody(response).message).toMatch(/^filename: /);
  });

  it('answers 503 with Retry-After and no SDK message or bucket name when S3 fails', async () => {
    s3Mock.on(PutObjectCommand).rejects(
      new S3ServiceException({
        name: 'SlowDown',
        $fault: 'server',
        $metadata: { httpStatusCode: 503 },
        message: `Please reduce your request rate for ${TEST_BUCKET}`,
      }),
    );

    const response = await invoke({ body: DEMO_BODY });

    expect(response.statusCode).toBe(503);
    expect(response.headers?.['retry-after']).toBe('2');
    expect(errorBody(response).requestId).toBe(REQUEST_ID);
    expect(response.body).not.toContain(TEST_BUCKET);
    expect(response.body).not.toContain('reduce your request rate');
    expect(kinesisMock).not.toHaveReceivedCommand(PutRecordCommand);
  });

  it('answers 503 with Retry-After after rolling back when Kinesis fails', async () => {
    const errorLog = jest.spyOn(logger, 'error');
    kinesisMock
      .on(PutRecordCommand)
      .rejects(new ProvisionedThroughputExceededException({ $metadata: {}, message: 'Rate exceeded' }));

    const response = await invoke({ body: DEMO_BODY });

    expect(response.statusCode).toBe(503);
    expect(response.headers?.['retry-after']).toBe('2');
    expect(response.body).not.toContain('Rate exceeded');
    expect(s3Mock).toHaveReceivedCommandTimes(DeleteObjectCommand, 1);
    expect(errorLog).toHaveBeenCalledWith(
      'dependency unavailable',
      expect.objectContaining({ requestId: REQUEST_ID, error: expect.any(Error) }),
    );
  });

  it('answers 500 "Internal error" without the error message on an unexpected error, and logs it', async () => {
    const errorLog = jest.spyOn(logger, 'error');
    const secret = new Error(`entropy pool exhausted near arn:aws:s3:::${TEST_BUCKET}`);
    const deps = makeDeps({
      newId: () => {
        throw secret;
      },
    });

    const response = await invoke({ body: DEMO_BODY }, deps);

    expect(response.statusCode).toBe(500);
    expect(errorBody(response)).toEqual({ message: 'Internal error', requestId: REQUEST_ID });
    expect(response.body).not.toContain('entropy');
    expect(errorLog).toHaveBeenCalledWith('unexpected error', { requestId: REQUEST_ID, error: secret });
    expect(s3Mock).not.toHaveReceivedCommand(PutObjectCommand);
  });

  it('answers 500 without naming the variable when the configuration is broken', async () => {
    const response = await invoke({ body: DEMO_BODY }, makeDeps({ config: createConfig({}) }));

    expect(response.statusCode).toBe(500);
    expect(errorBody(response).message).toBe('Internal error');
    expect(response.body).not.toContain('DATA_BUCKET');
  });
});
