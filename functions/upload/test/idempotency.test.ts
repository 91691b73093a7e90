import { createHash } from 'node:crypto';
import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
} from '@aws-sdk/client-s3';
import { makeHttpApiEvent, makeLambdaContext, TEST_USER_SUB } from '@streamdrop/events/testing';
import { createHandler } from '../src/handler';
import { idempotentUploadId, requestFingerprint } from '../src/idempotency';
import { acceptUpload } from '../src/upload';
import { uploadInputFromEvent } from '../src/upload-input';
import { DEMO_BODY, kinesisMock, makeDeps, s3Mock, TEST_NOW, TEST_VERSION_ID } from './support';

/**
 * A bucket in memory: enough S3 for the idempotency records and the uploads, with S3's
 * conditional writes (If-None-Match: *, If-Match) and ETags (the MD5 of the content, as S3's for
 * a single PUT). Each call yields to the event loop first, as a network round trip would, so
 * requests sent together interleave.
 */
function fakeBucket() {
  const objects = new Map<string, string>();
  const etagOf = (key: string) => {
    const text = objects.get(key);
    return text === undefined ? undefined : `"${createHash('md5').update(text).digest('hex')}"`;
  };
  const roundTrip = () => new Promise((resolve) => setImmediate(resolve));
  s3Mock.reset();
  kinesisMock.reset();
  kinesisMock.on(PutRecordCommand).resolves({ ShardId: 'shardId-000000000000', SequenceNumber: '1' });
  s3Mock.on(GetObjectCommand).callsFake(async (input: { Key: string }) => {
    await roundTrip();
    const text = objects.get(input.Key);
    if (text === undefined) throw Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey' });
    return { Body: { transformToString: async () => text }, ETag: etagOf(input.Key) };
  });
  s3Mock
    .on(PutObjectCommand)
    .callsFake(async (input: { Key: string; Body: unknown; IfNoneMatch?: string; IfMatch?: string }) => {
      await roundTrip();
      const exists = objects.has(input.Key);
      if (
        (input.IfNoneMatch === '*' && exists) ||
        (input.IfMatch !== undefined && input.IfMatch !== etagOf(input.Key))
      ) {
        throw Object.assign(new Error('PreconditionFailed'), {
          name: 'PreconditionFailed',
          $metadata: { httpStatusCode: 412 },
        });
      }
      objects.set(
        input.Key,
        typeof input.Body === 'string' ? input.Body : Buffer.from(input.Body as Uint8Array).toString(),
      );
      return { VersionId: TEST_VERSION_ID, ETag: etagOf(input.Key) };
    });
  s3Mock.on(PutObjectTaggingCommand).resolves({});
  s3Mock.on(DeleteObjectCommand).callsFake(async (input: { Key: string }) => {
    await roundTrip();
    objects.delete(input.Key);
    return {};
  });
  return objects;
}

const send = (
  headers: Record<string, string>,
  body: object = DEMO_BODY,
  now = TEST_NOW,
  sub = TEST_USER_SUB,
) =>
  acceptUpload(
    uploadInputFromEvent(makeHttpApiEvent({ body, headers, claims: { sub } })),
    makeDeps({ now: () => now, newId: () => `random-${Math.random().toString(36).slice(2)}` }),
  );
const uploadsStored = () =>
  s3Mock.commandCalls(PutObjectCommand).filter((c) => String(c.args[0].input.Key).startsWith('uploads/'))
    .length;

describe('upload with an Idempotency-Key', () => {
  it('answers a repeated request with the first response and stores and publishes nothing new', async () => {
    fakeBucket();
    const first = await send({ 'idempotency-key': 'k-1' });
    const second = await send({ 'idempotency-key': 'k-1' });
    expect(first.replayed).toBe(false);
    expect(second).toEqual({ response: first.response, replayed: true });
    expect(kinesisMock).toHaveReceivedCommandTimes(PutRecordCommand, 1);
    expect(uploadsStored()).toBe(1);
  });

  it('derives the upload id from the caller and the key, so racing requests share one object', async () => {
    fakeBucket();
    const { response } = await send({ 'idempotency-key': 'k-2' });
    expect(response.uploadId).toBe(idempotentUploadId(TEST_USER_SUB, 'k-2'));
    expect(response.uploadId).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(idempotentUploadId('another-user', 'k-2')).not.toBe(response.uploadId);
  });

  it('keeps keys per user: another user with the same key gets their own upload', async () => {
    fakeBucket();
    const mine = await send({ 'idempotency-key': 'shared' });
    const theirs = await send({ 'idempotency-key': 'shared' }, DEMO_BODY, TEST_NOW, 'other-user-sub');
    expect(theirs.replayed).toBe(false);
    expect(theirs.response.uploadId).not.toBe(mine.response.uploadId);
    expect(theirs.response.file_key).toMatch(/^uploads\/other-user-sub\//);
  });

  it('refuses the same key with a different body with 422 and stores nothing more', async () => {
    fakeBucket();
    await send({ 'idempotency-key': 'k-3' });
    await expect(
      send({ 'idempotency-key': 'k-3' }, { filename: 'demo.txt', content: 'something else' }),
    ).rejects.toMatchObject({
      statusCode: 422,
      message: expect.stringMatching(/different request body/),
    });
    expect(uploadsStored()).toBe(1);
  });

  it('answers 409 with Retry-After while the first request with the key is still running', async () => {
    const objects = fakeBucket();
    const sha = (text: string) => createHash('sha256').update(text).digest('hex');
    objects.set(
      `idempotency/${TEST_USER_SUB}/${sha('k-4')}.json`,
      JSON.stringify({
        state: 'pending',
        fingerprint: requestFingerprint({
          filename: DEMO_BODY.filename,
          contentType: 'text/plain; charset=utf-8',
          sha256: sha(DEMO_BODY.content),
        }),
        uploadId: idempotentUploadId(TEST_USER_SUB, 'k-4'),
        createdAt: new Date(TEST_NOW.getTime() - 5_000).toISOString(),
      }),
    );
    const result = await createHandler(makeDeps())(
      makeHttpApiEvent({ body: DEMO_BODY, headers: { 'idempotency-key': 'k-4' } }),
      makeLambdaContext(),
    );
    expect(result.statusCode).toBe(409);
    expect(result.headers?.['retry-after']).toBe('1');
    expect(JSON.parse(String(result.body)).message).toMatch(/still in progress/);
    expect(uploadsStored()).toBe(0);
    expect(kinesisMock).not.toHaveReceivedCommand(PutRecordCommand);
  });

  it('takes over a pending claim left by an invocation that died (older than a minute)', async () => {
    const objects = fakeBucket();
    const first = await send({ 'idempotency-key': 'k-6' });
    const recordKey = [...objects.keys()].find((k) => k.startsWith('idempotency/')) ?? '';
    const record = JSON.parse(objects.get(recordKey) ?? '{}');
    objects.set(recordKey, JSON.stringify({ ...record, state: 'pending', response: undefined }));
    const later = new Date(TEST_NOW.getTime() + 2 * 60_000);
    const retried = await send({ 'idempotency-key': 'k-6' }, DEMO_BODY, later);
    expect(retried.replayed).toBe(false);
    expect(retried.response.uploadId).toBe(first.response.uploadId);
  });

  it('treats a key older than the retention window as new (same upload id, processed again idempotently)', async () => {
    fakeBucket();
    const first = await send({ 'idempotency-key': 'k-7' });
    const twoDaysLater = new Date(TEST_NOW.getTime() + 2 * 24 * 3600_000);
    const again = await send({ 'idempotency-key': 'k-7' }, DEMO_BODY, twoDaysLater);
    expect(again.replayed).toBe(false);
    expect(again.response.uploadId).toBe(first.response.uploadId);
    expect(kinesisMock).toHaveReceivedCommandTimes(PutRecordCommand, 2);
  });

  it('releases the key when the object cannot be marked complete, so the retry with the key goes through', async () => {
    const objects = fakeBucket();
    s3Mock
      .on(PutObjectTaggingCommand)
      .rejectsOnce(Object.assign(new Error('down'), { name: 'InternalError' }));

    await expect(send({ 'idempotency-key': 'k-tag' })).rejects.toMatchObject({ statusCode: 503 });
    expect([...objects.keys()].filter((k) => k.startsWith('idempotency/'))).toEqual([]);
    expect([...objects.keys()].filter((k) => k.startsWith('uploads/'))).toEqual([]);

    const retried = await send({ 'idempotency-key': 'k-tag' });
    expect(retried.replayed).toBe(false);
  });

  it('releases the key when Kinesis fails, so the retry with the same key goes through', async () => {
    const objects = fakeBucket();
    kinesisMock
      .on(PutRecordCommand)
      .rejectsOnce(Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' }));
    await expect(send({ 'idempotency-key': 'k-8' })).rejects.toMatchObject({ statusCode: 503 });
    expect([...objects.keys()].filter((k) => k.startsWith('idempotency/'))).toEqual([]);
    kinesisMock.on(PutRecordCommand).resolves({ ShardId: 'shardId-000000000000', SequenceNumber: '2' });
    const retried = await send({ 'idempotency-key': 'k-8' });
    expect(retried.replayed).toBe(false);
  });

  it('claims the key with a conditional write (If-None-Match: *) and replays when another request won the race', async () => {
    const objects = fakeBucket();
    const winner = await send({ 'idempotency-key': 'k-9' });
    const recordKey = [...objects.keys()].find((k) => k.startsWith('idempotency/')) ?? '';
    const record = objects.get(recordKey) ?? '';
    // This request reads "nothing there" once, then loses the conditional create.
    let reads = 0;
    s3Mock.on(GetObjectCommand).callsFake(async () => {
      reads += 1;
      if (reads === 1) throw Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey' });
      return { Body: { transformToString: async () => record } };
    });
    const loser = await send({ 'idempotency-key': 'k-9' });
    expect(loser).toEqual({ response: winner.response, replayed: true });
    const claimPut = s3Mock.commandCalls(PutObjectCommand).find((c) => c.args[0].input.IfNoneMatch === '*');
    expect(claimPut?.args[0].input.Key).toBe(recordKey);
  });

  describe('requests with the same key at the same time', () => {
    const OTHER_BODY = { filename: 'demo.txt', content: 'a different body' };
    const recordOf = (objects: Map<string, string>) => {
      const key = [...objects.keys()].find((k) => k.startsWith('idempotency/')) ?? '';
      return JSON.parse(objects.get(key) ?? 'null');
    };

    it('with different bodies: one 202, one 422, and the record and object of the first are never replaced', async () => {
      const objects = fakeBucket();

      const results = await Promise.allSettled([
        send({ 'idempotency-key': 'race-1' }, DEMO_BODY),
        send({ 'idempotency-key': 'race-1' }, OTHER_BODY),
      ]);

      const accepted = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
      const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
      expect(accepted).toHaveLength(1);
      expect(refused).toEqual([expect.objectContaining({ statusCode: 422 })]);
      const winner = accepted[0] === 0 ? DEMO_BODY : OTHER_BODY;
      const stored = [...objects.entries()].filter(([k]) => k.startsWith('uploads/'));
      expect(stored.map(([, body]) => body)).toEqual([winner.content]);
      expect(uploadsStored()).toBe(1);
      expect(kinesisMock).toHaveReceivedCommandTimes(PutRecordCommand, 1);
      expect(recordOf(objects)).toMatchObject({
        state: 'completed',
        fingerprint: requestFingerprint({
          filename: winner.filename,
          contentType: 'text/plain; charset=utf-8',
          sha256: createHash('sha256').update(winner.content).digest('hex'),
        }),
      });
    });

    it('with the same body: one 202, and the other 409 while it runs or its replay once done; one upload', async () => {
      fakeBucket();

      const results = await Promise.allSettled([
        send({ 'idempotency-key': 'race-2' }),
        send({ 'idempotency-key': 'race-2' }),
      ]);

      const outcomes = results.map((r) =>
        r.status === 'fulfilled'
          ? r.value.replayed
            ? 'replay'
            : 202
          : (r.reason as { statusCode: number }).statusCode,
      );
      expect(outcomes).toContain(202);
      const others = outcomes.filter((o) => o !== 202);
      expect(others).toHaveLength(1);
      expect([409, 'replay']).toContain(others[0]);
      expect(uploadsStored()).toBe(1);
      expect(kinesisMock).toHaveReceivedCommandTimes(PutRecordCommand, 1);
    });

    it.each([1, 2, 5])('with %i other bodies racing one: exactly one is stored', async (others) => {
      const objects = fakeBucket();
      const bodies = [
        DEMO_BODY,
        ...Array.from({ length: others }, (_, i) => ({ ...OTHER_BODY, content: `other ${i}` })),
      ];

      const results = await Promise.allSettled(
        bodies.map((body) => send({ 'idempotency-key': 'race-3' }, body)),
      );

      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(
        results
          .filter((r) => r.status === 'rejected')
          .map((r) => (r as PromiseRejectedResult).reason.statusCode),
      ).toEqual(Array(others).fill(422));
      expect([...objects.keys()].filter((k) => k.startsWith('uploads/'))).toHaveLength(1);
    });

    it('taking over an expired record: only one of two racing requests wins it, the other gets 422', async () => {
      const objects = fakeBucket();
      await send({ 'idempotency-key': 'race-4' });
      const twoDaysLater = new Date(TEST_NOW.getTime() + 2 * 24 * 3600_000);
      s3Mock.resetHistory();
      kinesisMock.resetHistory();

      const results = await Promise.allSettled([
        send({ 'idempotency-key': 'race-4' }, { ...OTHER_BODY, content: 'first new body' }, twoDaysLater),
        send({ 'idempotency-key': 'race-4' }, { ...OTHER_BODY, content: 'second new body' }, twoDaysLater),
      ]);

      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { statusCode: 422 } });
      expect(uploadsStored()).toBe(1);
      expect(kinesisMock).toHaveReceivedCommandTimes(PutRecordCommand, 1);
      const takeover = s3Mock
        .commandCalls(PutObjectCommand)
        .filter((c) => String(c.args[0].input.Key).startsWith('idempotency/') && c.args[0].input.IfMatch);
      expect(takeover.length).toBeGreaterThanOrEqual(2);
      expect(recordOf(objects).state).toBe('completed');
    });

    it('does not complete a claim that another request has taken over meanwhile', async () => {
      const objects = fakeBucket();
      const recordKey = (k: string) =>
        `idempotency/${TEST_USER_SUB}/${createHash('sha256').update(k).digest('hex')}.json`;
      // While this request publishes, its claim is taken over (it looked dead for a minute).
      kinesisMock.on(PutRecordCommand).callsFake(async () => {
        objects.set(recordKey('race-5'), JSON.stringify({ taken: 'over' }));
        return { ShardId: 'shardId-000000000000', SequenceNumber: '1' };
      });

      const { replayed } = await send({ 'idempotency-key': 'race-5' });

      expect(replayed).toBe(false);
      expect(objects.get(recordKey('race-5'))).toBe(JSON.stringify({ taken: 'over' }));
    });
  });

  it.each([
    ['empty', ''],
    ['with a space', 'a b'],
    ['with a control character', 'a\u0001b'],
    ['non-ASCII', 'clé'],
    ['longer than 255 characters', 'k'.repeat(256)],
  ])('refuses a key that is %s with 400 and stores nothing', async (_label, key) => {
    fakeBucket();
    await expect(send({ 'idempotency-key': key })).rejects.toMatchObject({
      statusCode: 400,
      message: expect.stringMatching(/Idempotency-Key must be/),
    });
    expect(s3Mock).not.toHaveReceivedCommand(PutObjectCommand);
    expect(kinesisMock).not.toHaveReceivedCommand(PutRecordCommand);
  });

  it('marks a replayed response with the idempotent-replayed header', async () => {
    fakeBucket();
    const handler = createHandler(makeDeps());
    const event = () => makeHttpApiEvent({ body: DEMO_BODY, headers: { 'idempotency-key': 'k-10' } });
    const first = await handler(event(), makeLambdaContext());
    const second = await handler(event(), makeLambdaContext());
    expect(first.headers?.['idempotent-replayed']).toBeUndefined();
    expect(second.statusCode).toBe(202);
    expect(second.headers?.['idempotent-replayed']).toBe('true');
    expect(second.body).toBe(first.body);
  });
});
