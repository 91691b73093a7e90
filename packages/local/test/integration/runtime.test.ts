/**
 * The local runtime on a fixture stack: real cognito-local, s3rver and kinesalite, real HTTP,
 * real tokens, the real poller and function runner. Functions are tiny scripted bundles so that
 * each event-source behaviour can be provoked on purpose.
 */
import { CreateUserPoolClientCommand, InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { KinesisStreamEvent } from 'aws-lambda';
import { localCognitoClient, localKinesisClient, localS3Client } from '../../src/clients';
import {
  decodeJwt,
  eventually,
  signIn,
  signWithCognitoLocalKey,
  startTestStack,
  type TestStack,
} from '../../src/testing';
import { writeFixtureStack } from '../support/fixture-stack';

jest.setTimeout(60_000);

// An S3 on-failure record may carry the invocation payload as a JSON string.
const texts = (event: unknown) =>
  ((typeof event === 'string' ? JSON.parse(event) : event) as KinesisStreamEvent).Records.map((r) =>
    Buffer.from(r.kinesis.data, 'base64').toString('utf8'),
  );

async function putTexts(t: TestStack, values: string[]) {
  const kinesis = localKinesisClient(t.stack.config.kinesis.endpoint, t.stack.config.region);
  try {
    const out = await kinesis.send(
      new PutRecordsCommand({
        StreamName: t.stack.config.kinesis.streamName,
        Records: values.map((v, i) => ({ Data: Buffer.from(v), PartitionKey: `pk-${i}` })),
      }),
    );
    expect(out.FailedRecordCount).toBe(0);
  } finally {
    kinesis.destroy();
  }
}

async function failureRecords(t: TestStack) {
  const s3 = localS3Client(t.stack.config.s3.endpoint, t.stack.config.region);
  const bucket = t.stack.config.s3.buckets.failures ?? '';
  try {
    const list = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    return Promise.all(
      (list.Contents ?? []).map(async (o) => {
        const body = await (
          await s3.send(new GetObjectCommand({ Bucket: bucket, Key: o.Key }))
        ).Body?.transformToString();
        return { key: o.Key ?? '', record: JSON.parse(body ?? '{}') };
      }),
    );
  } finally {
    s3.destroy();
  }
}

const consumerCalls = (t: TestStack) => t.invocations.filter((i) => i.functionName === 'fixture-consumer');

describe('local gateway on a fixture stack', () => {
  let t: TestStack;
  beforeAll(async () => {
    t = await startTestStack({ stackFile: writeFixtureStack().file });
  });
  afterAll(async () => {
    await t?.stack.stop();
  });

  const whoami = (authorization?: string) =>
    fetch(`${t.stack.config.apiUrl}/whoami`, { headers: authorization ? { authorization } : {} });

  it('admits an ID token and an access token from the stack’s pool and passes the claims', async () => {
    const tokens = await signIn(t.stack);
    for (const token of [tokens.id, tokens.access]) {
      const response = await whoami(`Bearer ${token}`);
      expect(response.status).toBe(200);
      const body = (await response.json()) as {
        claims: Record<string, string>;
        env: string;
        functionName: string;
      };
      expect(body.claims.sub).toBe(decodeJwt(token).sub);
      // Environment references resolve to local names; the function runs under its own name.
      expect(body.env).toBe(t.stack.config.s3.buckets.data);
      expect(body.functionName).toBe('fixture-api');
    }
  });

  it.each([
    ['no Authorization header', undefined],
    ['a malformed token', 'Bearer not.a.jwt'],
    ['an empty bearer', 'Bearer '],
  ])('answers 401 with a reason for %s and invokes nothing', async (_label, header) => {
    const before = t.invocations.length;
    const response = await whoami(header);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ message: 'Unauthorized' });
    expect(response.headers.get('www-authenticate')).toBeTruthy();
    expect(t.invocations.length).toBe(before);
  });

  it('refuses an expired token signed by the pool’s own key', async () => {
    const claims = decodeJwt((await signIn(t.stack)).id);
    const now = Math.floor(Date.now() / 1000);
    const expired = signWithCognitoLocalKey({ ...claims, iat: now - 7200, exp: now - 3600 });
    const before = t.invocations.length;
    const response = await whoami(`Bearer ${expired}`);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/expired/i);
    expect(t.invocations.length).toBe(before);
  });

  it('refuses a token issued to another app client of the same pool', async () => {
    const { cognito, region, users } = t.stack.config;
    const client = localCognitoClient(cognito.endpoint, region);
    try {
      const other = await client.send(
        new CreateUserPoolClientCommand({
          UserPoolId: cognito.userPoolId,
          ClientName: 'another-app',
          ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH'],
        }),
      );
      const auth = await client.send(
        new InitiateAuthCommand({
          AuthFlow: 'USER_PASSWORD_AUTH',
          ClientId: other.UserPoolClient?.ClientId,
          AuthParameters: { USERNAME: users.demo.username, PASSWORD: users.demo.password },
        }),
      );
      const before = t.invocations.length;
      for (const token of [auth.AuthenticationResult?.IdToken, auth.AuthenticationResult?.AccessToken]) {
        const response = await whoami(`Bearer ${token}`);
        expect(response.status).toBe(401);
      }
      expect(t.invocations.length).toBe(before);
    } finally {
      client.destroy();
    }
  });

  it('answers 404 {"message":"Not Found"} for an unknown route', async () => {
    const response = await fetch(`${t.stack.config.apiUrl}/nope`, { method: 'POST' });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ message: 'Not Found' });
  });

  it('puts the administrator in the admin group and gives the demo user none', async () => {
    expect(decodeJwt((await signIn(t.stack, 'admin')).id)['cognito:groups']).toEqual(['admins']);
    expect(decodeJwt((await signIn(t.stack, 'demo')).id)['cognito:groups']).toBeUndefined();
  });
});

describe('local Kinesis event source mapping on a fixture stack', () => {
  it('delivers batches of the batch size the stack declares', async () => {
    for (const batchSize of [3, 5]) {
      const t = await startTestStack({ stackFile: writeFixtureStack({ batchSize }).file });
      try {
        await putTexts(t, ['ok-1', 'ok-2', 'ok-3', 'ok-4', 'ok-5', 'ok-6', 'ok-7']);
        await eventually(() =>
          consumerCalls(t).flatMap((c) => texts(c.event)).length >= 7 ? true : undefined,
        );
        const sizes = consumerCalls(t).map((c) => texts(c.event).length);
        expect(Math.max(...sizes)).toBe(batchSize);
        expect(consumerCalls(t).flatMap((c) => texts(c.event))).toEqual([
          'ok-1',
          'ok-2',
          'ok-3',
          'ok-4',
          'ok-5',
          'ok-6',
          'ok-7',
        ]);
      } finally {
        await t.stack.stop();
      }
    }
  });

  it('retries from the lowest reported failure, then sends what exhausts its retries to the failures bucket whole', async () => {
    const t = await startTestStack({
      stackFile: writeFixtureStack({ batchSize: 10, maximumRetryAttempts: 2 }).file,
    });
    try {
      await putTexts(t, ['ok-1', 'fail-2', 'ok-3']);
      const [failure] = await eventually(async () => {
        const records = await failureRecords(t);
        return records.length > 0 ? records : undefined;
      });
      const batches = consumerCalls(t).map((c) => texts(c.event));
      expect(batches[0]).toEqual(['ok-1', 'fail-2', 'ok-3']);
      // Records before the failed one are never delivered again.
      for (const later of batches.slice(1)) expect(later[0]).toBe('fail-2');
      expect(batches.length).toBe(3); // the first try and two retries
      expect(failure?.key).toMatch(/^aws\/lambda\/[0-9a-f-]{36}\/shardId-\d+\//);
      expect(failure?.record.requestContext.condition).toBe('RetryAttemptsExhausted');
      expect(texts(failure?.record.payload)).toContain('fail-2');
    } finally {
      await t.stack.stop();
    }
  });

  it('bisects a batch whose invocation throws until the poison record is isolated', async () => {
    const t = await startTestStack({
      stackFile: writeFixtureStack({ batchSize: 4, bisect: true, maximumRetryAttempts: 0 }).file,
    });
    try {
      await putTexts(t, ['ok-1', 'throw-2', 'ok-3', 'ok-4']);
      await eventually(async () => ((await failureRecords(t)).length > 0 ? true : undefined));
      await t.stack.idle();
      const succeeded = consumerCalls(t)
        .filter((c) => c.result.ok)
        .flatMap((c) => texts(c.event));
      expect(succeeded).toEqual(expect.arrayContaining(['ok-1', 'ok-3', 'ok-4']));
      expect(succeeded).not.toContain('throw-2');
      const failed = await failureRecords(t);
      expect(failed.flatMap((f) => texts(f.record.payload))).toEqual(['throw-2']);
    } finally {
      await t.stack.stop();
    }
  });

  it('resumes after a restart without losing a record', async () => {
    const { file } = writeFixtureStack({ batchSize: 2 });
    const first = await startTestStack({ stackFile: file });
    const values = Array.from({ length: 12 }, (_, i) => `ok-${i}`);
    await putTexts(first, values.slice(0, 6));
    await eventually(() => (consumerCalls(first).length > 0 ? true : undefined));
    await first.stack.stop();
    const second = await startTestStack({ stackFile: file, stateDir: first.stateDir, ports: first.ports });
    try {
      await putTexts(second, values.slice(6));
      await eventually(() => {
        const seen = new Set(
          [...consumerCalls(first), ...consumerCalls(second)]
            .filter((c) => c.result.ok)
            .flatMap((c) => texts(c.event)),
        );
        return values.every((v) => seen.has(v)) ? true : undefined;
      });
    } finally {
      await second.stack.stop();
    }
  });
});
