import { ListStreamsCommand, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { ListStreamsResponseSchema } from '@streamdrop/events';
import { makeLambdaContext } from '@streamdrop/events/testing';
import {
  AUDIT_STREAM,
  expectKinesisNeverCalled,
  healthyKinesis,
  kinesisMock,
  PUT_RECORD_BODY,
  routeEvent,
  TEST_STREAM,
  USER_CLAIMS,
} from './support';

// The production handler reads its environment when its modules load: set it first, then import.
// KINESIS_MAX_ATTEMPTS is left out on purpose, to see its default.
const ENV = {
  AWS_REGION: 'us-east-1',
  ADMIN_GROUP: 'stream-admins',
  ALLOWED_STREAMS: `${TEST_STREAM}, ${AUDIT_STREAM}`,
};
const ADMIN = { sub: 'c0ffee00-0000-4000-8000-000000000001', 'cognito:groups': '[users stream-admins]' };
const saved = { ...process.env };
let entry: typeof import('../src/index');
let clients: typeof import('../src/clients');

beforeAll(async () => {
  delete process.env.KINESIS_MAX_ATTEMPTS;
  Object.assign(process.env, ENV);
  entry = await import('../src/index');
  clients = await import('../src/clients');
});

afterAll(() => {
  process.env = saved;
});

beforeEach(healthyKinesis);

describe('streams handler as deployed (index.handler)', () => {
  it('lists the streams of ALLOWED_STREAMS for a member of ADMIN_GROUP', async () => {
    const response = await entry.handler(routeEvent('listStreams', { claims: ADMIN }), makeLambdaContext());

    expect(response.statusCode).toBe(200);
    const body = ListStreamsResponseSchema.parse(JSON.parse(response.body ?? ''));
    expect(body.StreamNames).toEqual([AUDIT_STREAM, TEST_STREAM]);
    expect(kinesisMock).toHaveReceivedCommandTimes(ListStreamsCommand, 1);
  });

  it('puts a record into a stream of ALLOWED_STREAMS', async () => {
    const response = await entry.handler(
      routeEvent('putRecord', { body: PUT_RECORD_BODY, claims: ADMIN }),
      makeLambdaContext(),
    );

    expect(response.statusCode).toBe(200);
    expect(kinesisMock).toHaveReceivedCommandWith(PutRecordCommand, { StreamName: TEST_STREAM });
  });

  it('refuses a member of another group, naming ADMIN_GROUP', async () => {
    const response = await entry.handler(
      routeEvent('listStreams', { claims: USER_CLAIMS }),
      makeLambdaContext(),
    );

    expect(response.statusCode).toBe(403);
    expect(JSON.parse(response.body ?? '').message).toBe(
      'Only members of the stream-admins group may use the streams API',
    );
    expectKinesisNeverCalled();
  });

  it('talks to Kinesis over HTTP/1.1 with 3 attempts when KINESIS_MAX_ATTEMPTS is unset', async () => {
    const handler = clients.kinesis.config.requestHandler;

    expect(handler).toBeInstanceOf(NodeHttpHandler);
    expect(handler.metadata?.handlerProtocol).toBe('http/1.1');
    expect(await clients.kinesis.config.maxAttempts()).toBe(3);
  });
});
