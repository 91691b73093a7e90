import { Metrics } from '@aws-lambda-powertools/metrics';
import { GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import { PutObjectCommand, PutObjectTaggingCommand } from '@aws-sdk/client-s3';
import { CreateSessionResponseSchema, ErrorResponseSchema, UploadResponseSchema } from '@streamdrop/events';
import { captureEmf, makeHttpApiEvent, makeLambdaContext, TEST_UPLOAD_ID } from '@streamdrop/events/testing';
import { createHandler } from '../src/handler';
import { uploadMetrics } from '../src/metrics';
import type { RouterDeps } from '../src/router';
import { ddbMock, makeSessionDeps } from './sessions-support';
import { acceptEverything, DEMO_BODY, makeDeps, s3Mock } from './support';

function deps(): RouterDeps {
  const sessions = makeSessionDeps();
  return { ...makeDeps(), statuses: sessions.table, sessions };
}

beforeEach(() => {
  acceptEverything();
  ddbMock.reset();
  ddbMock.on(PutItemCommand).resolves({});
  ddbMock.on(UpdateItemCommand).resolves({});
});

describe('upload function routes', () => {
  it('opens a session for a body with size and no content (201), and stores the file inline otherwise (202)', async () => {
    const handler = createHandler(deps());

    const session = await handler(
      makeHttpApiEvent({ body: { filename: 'a.bin', size: 3 } }),
      makeLambdaContext(),
    );
    expect(session.statusCode).toBe(201);
    expect(CreateSessionResponseSchema.parse(JSON.parse(session.body ?? '')).uploadId).toBe(TEST_UPLOAD_ID);
    expect(s3Mock).not.toHaveReceivedCommand(PutObjectCommand);

    const inline = await handler(makeHttpApiEvent({ body: DEMO_BODY }), makeLambdaContext());
    expect(inline.statusCode).toBe(202);
    expect(UploadResponseSchema.parse(JSON.parse(inline.body ?? '')).uploadId).toBe(TEST_UPLOAD_ID);
  });

  it('records an inline upload awaiting-upload before storing it, and queued once its event is out', async () => {
    const order: string[] = [];
    ddbMock.on(PutItemCommand).callsFake(() => order.push('item'));
    s3Mock.on(PutObjectCommand).callsFake(() => {
      order.push('object');
      return { VersionId: 'v1' };
    });
    ddbMock.on(UpdateItemCommand).callsFake(() => order.push('queued'));
    s3Mock.on(PutObjectTaggingCommand).callsFake(() => order.push('complete'));

    const response = await createHandler(deps())(makeHttpApiEvent({ body: DEMO_BODY }), makeLambdaContext());

    expect(response.statusCode).toBe(202);
    expect(order).toEqual(['item', 'object', 'queued', 'complete']);
    expect(ddbMock.commandCalls(PutItemCommand)[0]?.args[0].input.Item).toMatchObject({
      status: { S: 'awaiting-upload' },
      origin: { S: 'inline' },
      filename: { S: 'demo.txt' },
    });
  });

  it('answers 404 on a route it does not serve', async () => {
    const response = await createHandler(deps())(
      makeHttpApiEvent({ method: 'PATCH', path: '/uploads/x', routeKey: 'PATCH /uploads/{id}' }),
      makeLambdaContext(),
    );
    expect(response.statusCode).toBe(404);
  });

  it('answers 500 without naming the table when the function has none for the uploads routes', async () => {
    const response = await createHandler(makeDeps())(
      makeHttpApiEvent({ method: 'GET', path: '/uploads' }),
      makeLambdaContext(),
    );
    expect(response.statusCode).toBe(500);
    expect(ErrorResponseSchema.parse(JSON.parse(response.body ?? '')).message).toBe('Internal error');
  });

  it('counts a 404 of the uploads routes as refused, reason not-found; an opened session as opened', async () => {
    ddbMock.on(GetItemCommand).resolves({});
    const metrics = uploadMetrics(new Metrics({ namespace: 'Test', serviceName: 'streamdrop-upload' }));
    const base = deps();
    const handler = createHandler({ ...base, metrics, sessions: { ...makeSessionDeps(), metrics } });
    const emitted = await captureEmf(async () => {
      await handler(
        makeHttpApiEvent({
          method: 'GET',
          path: `/uploads/${TEST_UPLOAD_ID}`,
          routeKey: 'GET /uploads/{id}',
          pathParameters: { id: TEST_UPLOAD_ID },
        }),
        makeLambdaContext(),
      );
      await handler(makeHttpApiEvent({ body: { filename: 'a.bin', size: 3 } }), makeLambdaContext());
    });
    expect(emitted).toContainEqual(
      expect.objectContaining({
        name: 'UploadsRefused',
        dimensions: { service: 'streamdrop-upload', reason: 'not-found' },
      }),
    );
    expect(emitted).toContainEqual(expect.objectContaining({ name: 'UploadSessionsOpened', values: [1] }));
    expect(emitted.map((m) => m.name)).not.toContain('UploadsAccepted');
  });

  it('never publishes an event for a session until it is completed', async () => {
    await createHandler(deps())(
      makeHttpApiEvent({ body: { filename: 'a.bin', size: 3 } }),
      makeLambdaContext(),
    );
    const { kinesisMock } = await import('./support');
    expect(kinesisMock).not.toHaveReceivedCommand(PutRecordCommand);
  });
});
