/**
 * Shared by the security suites, which attack the real local stack (the synthesized stack from
 * `pnpm synth`, real cognito-local, s3rver and kinesalite): what the stack holds before and after a
 * request, raw HTTP, tokens forged with cognito-local's own key or with keys it never published, and
 * a check that an error body gives nothing of the system away.
 */
import {
  createHmac,
  createPublicKey,
  createSign,
  generateKeyPairSync,
  type KeyObject,
  sign,
} from 'node:crypto';
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { allRecordData, localCognitoClient, localKinesisClient, localS3Client } from '../../src/clients';
import { defaultStackFile } from '../../src/paths';
import { startTestStack, type TestStack } from '../../src/testing';
import { type RawRequest, type RawResponse, request } from '../gateway/support';

export { decodeJwt, signIn, signWithCognitoLocalKey } from '../../src/testing';

/** One local stack on the real synthesized stack, with clients to look inside its emulators. */
export interface SecurityStack extends TestStack {
  dataBucket: string;
  failuresBucket: string;
  streamName: string;
  /** Every object of both buckets, as `<bucket>/<key>`. */
  objects(): Promise<string[]>;
  /** Records in the stream from TRIM_HORIZON, over every shard. */
  streamRecords(streamName?: string): Promise<string[]>;
  /** The gateway's functions that ran (the processor, fed by the stream, is not counted). */
  apiInvocations(): number;
  /** Sends one raw HTTP request to the gateway. */
  send(req: RawRequest): Promise<RawResponse>;
  close(): Promise<void>;
}

export async function startSecurityStack(): Promise<SecurityStack> {
  const t = await startTestStack({ stackFile: defaultStackFile() });
  const { config } = t.stack;
  const s3 = localS3Client(config.s3.endpoint, config.region);
  const kinesis = localKinesisClient(config.kinesis.endpoint, config.region);
  const dataBucket = config.s3.buckets.data ?? '';
  const failuresBucket = config.s3.buckets.failures ?? '';
  const apiFunctions = new Set(t.stack.model.routes.map((r) => r.functionName));

  async function keys(bucket: string): Promise<string[]> {
    const found: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
      found.push(...(page.Contents ?? []).map((o) => `${bucket}/${o.Key ?? ''}`));
      token = page.NextContinuationToken;
    } while (token);
    return found;
  }

  async function streamRecords(streamName = config.kinesis.streamName): Promise<string[]> {
    return (await allRecordData(kinesis, streamName)).map((data) => Buffer.from(data).toString('utf8'));
  }

  return {
    ...t,
    dataBucket,
    failuresBucket,
    streamName: config.kinesis.streamName,
    objects: async () => [...(await keys(dataBucket)), ...(await keys(failuresBucket))].sort(),
    streamRecords,
    apiInvocations: () => t.invocations.filter((i) => apiFunctions.has(i.functionName)).length,
    send: (req) => request(config.apiUrl, req),
    close: async () => {
      s3.destroy();
      kinesis.destroy();
      await t.stack.stop();
    },
  };
}

/** What the stack holds and has done: compared before and after a request that must change nothing. */
export interface Snapshot {
  objects: string[];
  records: number;
  apiInvocations: number;
}

export async function snapshot(s: SecurityStack): Promise<Snapshot> {
  return {
    objects: await s.objects(),
    records: (await s.streamRecords()).length,
    apiInvocations: s.apiInvocations(),
  };
}

/** Asserts that nothing was stored and nothing published since `before`. */
export async function expectNothingStoredOrPublished(s: SecurityStack, before: Snapshot): Promise<void> {
  expect(await s.objects()).toEqual(before.objects);
  expect((await s.streamRecords()).length).toBe(before.records);
}

/**
 * Reasons why `body` gives internals away: stack frames, exception and SDK error names, source
 * paths, or any of `internals` (bucket names, ARNs, endpoints) that the caller did not send itself.
 */
export function leaks(body: string, internals: readonly string[], sent = ''): string[] {
  const found: string[] = [];
  const patterns: Array<[RegExp, string]> = [
    [/\bat\s+(?:async\s+)?[\w$.<>[\] ]*\s*\(?(?:file:\/\/|\/|node:)[^\s)]*:\d+/, 'a stack frame'],
    [/\n\s+at\s/, 'a stack frame'],
    [/Exception/, 'an exception name'],
    [/\b(?:TypeError|ReferenceError|SyntaxError|RangeError)\b/, 'a JavaScript error name'],
    [
      /\b(?:AccessDenied|NoSuchBucket|NoSuchKey|ResourceNotFound|ResourceInUse|ValidationError|InvalidArgument)\b/,
      'an AWS error code',
    ],
    [/\$metadata|httpStatusCode|\$fault/, 'an SDK error object'],
    [/node_modules|file:\/\/|\/work\/|\.(?:ts|mjs|cjs|js):\d+/, 'a source path'],
  ];
  for (const [pattern, what] of patterns) if (pattern.test(body)) found.push(`${what} (${pattern})`);
  for (const internal of internals) {
    if (internal && body.includes(internal) && !sent.includes(internal)) found.push(`"${internal}"`);
  }
  return found;
}

/** The names and addresses a response must not reveal, for `leaks`. */
export function internalsOf(s: SecurityStack): string[] {
  const { config } = s.stack;
  return [
    s.dataBucket,
    s.failuresBucket,
    s.streamName,
    'arn:aws:',
    '000000000000',
    config.s3.endpoint,
    config.kinesis.endpoint,
    config.cognito.endpoint,
    'S3RVER',
    ...s.stack.model.functions.map((f) => f.name),
  ];
}

// ------------------------------------------------------------------------------------------
// Tokens

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export interface RsaKey {
  privateKey: KeyObject;
  publicJwk: Record<string, unknown>;
}

export function rsaKey(kid: string): RsaKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privateKey, publicJwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' } };
}

/** An RS256 JWT with any header, signed by `key`. */
export function signRs256(
  key: KeyObject,
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
): string {
  const input = `${b64url({ alg: 'RS256', typ: 'JWT', ...header })}.${b64url(payload)}`;
  return `${input}.${createSign('RSA-SHA256').update(input).sign(key).toString('base64url')}`;
}

/** A validly signed ES256 token from a key of the caller's own: a family AWS does not accept. */
export function signEs256(kid: string, payload: Record<string, unknown>): string {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const input = `${b64url({ alg: 'ES256', kid, typ: 'JWT' })}.${b64url(payload)}`;
  const sig = sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return `${input}.${sig.toString('base64url')}`;
}

/** The classic key-confusion forgery: HS256 keyed with the issuer's published RSA public key. */
export function signHs256(secret: string, kid: string, payload: Record<string, unknown>): string {
  const input = `${b64url({ alg: 'HS256', kid, typ: 'JWT' })}.${b64url(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

export function unsigned(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  signature = '',
): string {
  return `${b64url(header)}.${b64url(payload)}.${signature}`;
}

/** Replaces the payload of a signed token and keeps its signature. */
export function tamper(token: string, payload: Record<string, unknown>): string {
  const [header, , signature] = token.split('.');
  return `${header}.${b64url(payload)}.${signature}`;
}

/** The issuer's public key as cognito-local publishes it in its JWKS, as PEM text. */
export async function publishedPublicKeyPem(issuer: string): Promise<{ kid: string; pem: string }> {
  const jwks = (await (await fetch(`${issuer}/.well-known/jwks.json`)).json()) as {
    keys: Array<Record<string, unknown>>;
  };
  const [jwk] = jwks.keys;
  if (!jwk) throw new Error('the JWKS has no key');
  const pem = createPublicKey({ key: jwk as never, format: 'jwk' }).export({ format: 'pem', type: 'spki' });
  return { kid: String(jwk.kid), pem: pem.toString() };
}

export interface Tokens {
  id: string;
  access: string;
  refresh: string;
}

/** Signs `username` in through `clientId` of `userPoolId` (USER_PASSWORD_AUTH). */
export async function tokensFor(
  s: SecurityStack,
  clientId: string,
  user: { username: string; password: string },
): Promise<Tokens> {
  const { cognito, region } = s.stack.config;
  const client = localCognitoClient(cognito.endpoint, region);
  try {
    const out = await client.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: clientId,
        AuthParameters: { USERNAME: user.username, PASSWORD: user.password },
      }),
    );
    const auth = out.AuthenticationResult;
    if (!auth?.IdToken || !auth.AccessToken) throw new Error('no tokens');
    return { id: auth.IdToken, access: auth.AccessToken, refresh: auth.RefreshToken ?? '' };
  } finally {
    client.destroy();
  }
}

/** Creates a confirmed user with a permanent password in `userPoolId`. */
export async function createUser(s: SecurityStack, userPoolId: string, username: string) {
  const { cognito, region } = s.stack.config;
  const client = localCognitoClient(cognito.endpoint, region);
  const password = 'Another-l0ng-passw0rd!';
  try {
    await client.send(
      new AdminCreateUserCommand({
        UserPoolId: userPoolId,
        Username: username,
        MessageAction: 'SUPPRESS',
        UserAttributes: [
          { Name: 'email', Value: username },
          { Name: 'email_verified', Value: 'true' },
        ],
      }),
    );
    await client.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: userPoolId,
        Username: username,
        Password: password,
        Permanent: true,
      }),
    );
    return { username, password };
  } finally {
    client.destroy();
  }
}

/** A second app client of `userPoolId`, as another application registered with the same pool. */
export async function createClient(s: SecurityStack, userPoolId: string, name: string): Promise<string> {
  const { cognito, region } = s.stack.config;
  const client = localCognitoClient(cognito.endpoint, region);
  try {
    const out = await client.send(
      new CreateUserPoolClientCommand({
        UserPoolId: userPoolId,
        ClientName: name,
        ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      }),
    );
    const id = out.UserPoolClient?.ClientId;
    if (!id) throw new Error('cognito-local returned no client id');
    return id;
  } finally {
    client.destroy();
  }
}

/** Another user pool in the same cognito-local: same signing key, another issuer. */
export async function createPool(s: SecurityStack, name: string): Promise<string> {
  const { cognito, region } = s.stack.config;
  const client = localCognitoClient(cognito.endpoint, region);
  try {
    const out = await client.send(
      new CreateUserPoolCommand({ PoolName: name, UsernameAttributes: ['email'] }),
    );
    const id = out.UserPool?.Id;
    if (!id) throw new Error('cognito-local returned no pool id');
    return id;
  } finally {
    client.destroy();
  }
}

/** A valid upload body: what every request of the token suite would store if it got through. */
export const UPLOAD_BODY = JSON.stringify({ filename: 'token-probe.txt', content: 'must never be stored' });
