/**
 * Defence in depth for POST /uploads, through the public createHandler only: the function does not
 * rely on API Gateway alone. Without an authorizer context, or with a sub that could not name a
 * folder, nothing is stored; the object key comes from the `sub` claim and nothing else; and no
 * answer carries an SDK message, a stack trace or a bucket name.
 */
import {
  makeHttpApiEvent,
  makeLambdaContext,
  TEST_BUCKET,
  TEST_UPLOAD_ID,
  TEST_USER_SUB,
} from '@streamdrop/events/testing';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createHandler } from '../src/handler';

type Deps = Parameters<typeof createHandler>[0];

const STREAM = 'streamdrop-test-uploads';
const OTHER_SUB = '9d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6';
const BODY = { filename: 'demo.txt', content: 'hello kinesis' };

/** A fake S3 and Kinesis that record every command and answer as `behave` says. */
function fakes(behave: { s3?: (command: object) => unknown; kinesis?: (command: object) => unknown } = {}) {
  const s3Calls: Array<{ name: string; input: Record<string, unknown> }> = [];
  const kinesisCalls: Array<{ name: string; input: Record<string, unknown> }> = [];
  const record = (calls: typeof s3Calls, answer?: (command: object) => unknown) =>
    jest.fn(async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      calls.push({ name: command.constructor.name, input: command.input });
      return answer
        ? answer(command)
        : { VersionId: 'v1', ShardId: 'shardId-000000000000', SequenceNumber: '1' };
    });
  const deps: Deps = {
    s3: { send: record(s3Calls, behave.s3) } as unknown as Deps['s3'],
    kinesis: { send: record(kinesisCalls, behave.kinesis) } as unknown as Deps['kinesis'],
    config: { dataBucket: TEST_BUCKET, streamName: STREAM, maxUploadBytes: 4 * 1024 * 1024 },
    now: () => new Date('2026-11-21T10:00:00.000Z'),
    newId: () => TEST_UPLOAD_ID,
  };
  return { deps, s3Calls, kinesisCalls };
}

function invoke(deps: Deps, options: Parameters<typeof makeHttpApiEvent>[0]) {
  return createHandler(deps)(
    makeHttpApiEvent({ requestId: 'Req1d=', body: BODY, ...options }),
    makeLambdaContext(),
  );
}

const message = (response: APIGatewayProxyStructuredResultV2) =>
  (JSON.parse(response.body ?? '{}') as { message: string }).message;

describe('upload handler, defence in depth', () => {
  it.each([
    ['no authorizer context at all', null],
    ['claims without sub', { token_use: 'id', email: 'someone@example.com' }],
    ['an empty sub', { sub: '' }],
  ])('answers 401 to %s and calls neither S3 nor Kinesis', async (_label, claims) => {
    const { deps, s3Calls, kinesisCalls } = fakes();
    const response = await invoke(deps, { claims });
    expect(response.statusCode).toBe(401);
    expect(s3Calls).toEqual([]);
    expect(kinesisCalls).toEqual([]);
  });

  it('does not take an identity from headers when the claims are missing', async () => {
    const { deps, s3Calls } = fakes();
    const response = await invoke(deps, {
      claims: null,
      headers: { 'x-amzn-oidc-identity': OTHER_SUB, 'x-user-sub': OTHER_SUB, authorization: 'Bearer forged' },
    });
    expect(response.statusCode).toBe(401);
    expect(s3Calls).toEqual([]);
  });

  it.each([
    ['climbs out of its folder', `../${OTHER_SUB}`],
    ['holds a slash', `${TEST_USER_SUB}/../${OTHER_SUB}`],
    ['is a dot segment', '..'],
    ['holds a NUL', `${TEST_USER_SUB}\u0000`],
    ['starts with a space', ` ${TEST_USER_SUB}`],
    ['is 200 characters long', 'a'.repeat(200)],
  ])('answers 401 to a sub that %s, without storing anything', async (_label, sub) => {
    const { deps, s3Calls, kinesisCalls } = fakes();
    const response = await invoke(deps, { claims: { sub, token_use: 'id' } });
    expect(response.statusCode).toBe(401);
    expect(message(response)).toBe('the caller identity cannot be used');
    expect(s3Calls).toEqual([]);
    expect(kinesisCalls).toEqual([]);
  });

  it('names the object after the sub claim only, whatever the headers and query say', async () => {
    const { deps, s3Calls, kinesisCalls } = fakes();
    const response = await invoke(deps, {
      headers: { 'x-amzn-oidc-identity': OTHER_SUB, 'x-user-sub': OTHER_SUB },
      body: { filename: OTHER_SUB, content: 'x' },
    });
    expect(response.statusCode).toBe(202);
    const key = `uploads/${TEST_USER_SUB}/${TEST_UPLOAD_ID}/${OTHER_SUB}`;
    expect(s3Calls).toEqual([
      expect.objectContaining({
        name: 'PutObjectCommand',
        input: expect.objectContaining({ Bucket: TEST_BUCKET, Key: key }),
      }),
      expect.objectContaining({
        name: 'PutObjectTaggingCommand',
        input: expect.objectContaining({ Bucket: TEST_BUCKET, Key: key }),
      }),
    ]);
    const event = Buffer.from((kinesisCalls[0]?.input.Data as Uint8Array | undefined) ?? []).toString('utf8');
    expect(JSON.parse(event)).toMatchObject({ userSub: TEST_USER_SUB, key });
  });

  it.each([['userSub'], ['key'], ['bucket']])(
    'refuses a %s field in the body with 400, storing nothing',
    async (field) => {
      const { deps, s3Calls } = fakes();
      const response = await invoke(deps, { body: { ...BODY, [field]: OTHER_SUB } });
      expect(response.statusCode).toBe(400);
      expect(message(response)).toBe(`unknown field "${field}"`);
      expect(s3Calls).toEqual([]);
    },
  );

  describe('error answers', () => {
    const sdkError = (name: string) =>
      Object.assign(
        new Error(
          `${name}: User arn:aws:sts::123456789012:assumed-role/x is not authorized on arn:aws:s3:::${TEST_BUCKET}/uploads/${OTHER_SUB}`,
        ),
        { name, $metadata: { httpStatusCode: 403 }, stack: `${name}\n    at send (/var/task/index.mjs:1:2)` },
      );

    const expectGeneric = (response: APIGatewayProxyStructuredResultV2) => {
      const body = response.body ?? '';
      expect(body).not.toMatch(/\bat\s|Exception|AccessDenied|arn:aws|index\.mjs|\$metadata|not authorized/);
      expect(body).not.toContain(TEST_BUCKET);
      expect(body).not.toContain(STREAM);
      expect(body).not.toContain(OTHER_SUB);
      expect(Object.keys(JSON.parse(body))).toEqual(['message', 'requestId']);
    };

    it('keeps an S3 failure out of the 503 body', async () => {
      const { deps } = fakes({
        s3: () => {
          throw sdkError('AccessDenied');
        },
      });
      const response = await invoke(deps, {});
      expect(response.statusCode).toBe(503);
      expectGeneric(response);
    });

    it('keeps a Kinesis failure out of the 503 body, and rolls the object back', async () => {
      const { deps, s3Calls } = fakes({
        kinesis: () => {
          throw sdkError('ResourceNotFoundException');
        },
      });
      const response = await invoke(deps, {});
      expect(response.statusCode).toBe(503);
      expectGeneric(response);
      expect(s3Calls.map((c) => c.name)).toEqual(['PutObjectCommand', 'DeleteObjectCommand']);
    });

    it('keeps a deployment mistake (a setting that throws) out of the 500 body', async () => {
      const { deps } = fakes();
      const broken: Deps = {
        ...deps,
        config: {
          get dataBucket(): string {
            throw new Error(
              `environment variable DATA_BUCKET must be an S3 bucket name (got "${TEST_BUCKET}!")`,
            );
          },
          streamName: STREAM,
          maxUploadBytes: 1024,
        },
      };
      const response = await invoke(broken, {});
      expect(response.statusCode).toBe(500);
      expectGeneric(response);
      expect(message(response)).not.toMatch(/DATA_BUCKET|environment/);
    });
  });
});
