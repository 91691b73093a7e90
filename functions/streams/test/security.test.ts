/**
 * Defence in depth for the administrators' Kinesis proxy, through the public createHandler only:
 * membership of the admin group is read from the authorizer's claims and from nothing else, a caller
 * that is not a member reaches no Kinesis call, and Kinesis failures never reach the answer.
 */
import { makeHttpApiEvent, makeLambdaContext, TEST_USER_SUB } from '@streamdrop/events/testing';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createHandler } from '../src/handler';

type Deps = Parameters<typeof createHandler>[0];

const STREAM = 'streamdrop-test-uploads';

interface Route {
  method: string;
  path: string;
  pathParameters?: Record<string, string>;
  body?: object;
}

const ROUTES: Route[] = [
  { method: 'GET', path: '/streams' },
  { method: 'GET', path: '/streams/{name}', pathParameters: { name: STREAM } },
  {
    method: 'PUT',
    path: '/streams/{name}/record',
    pathParameters: { name: STREAM },
    body: { Data: 'x', PartitionKey: 'k' },
  },
  {
    method: 'PUT',
    path: '/streams/{name}/records',
    pathParameters: { name: STREAM },
    body: { records: [{ data: 'x', 'partition-key': 'k' }] },
  },
];

function fakeKinesis(answer: (command: { constructor: { name: string } }) => unknown = () => ({})) {
  const calls: string[] = [];
  const send = jest.fn(async (command: { constructor: { name: string } }) => {
    calls.push(command.constructor.name);
    return answer(command);
  });
  const deps: Deps = {
    kinesis: { send } as unknown as Deps['kinesis'],
    config: { adminGroup: 'admins', allowedStreams: new Set([STREAM]) },
  };
  return { deps, calls };
}

function invoke(
  deps: Deps,
  route: Route,
  claims: Record<string, string> | null,
  headers: Record<string, string> = {},
) {
  return createHandler(deps)(
    makeHttpApiEvent({ ...route, claims, headers, requestId: 'Req1d=' }),
    makeLambdaContext(),
  );
}

const message = (response: APIGatewayProxyStructuredResultV2) =>
  (JSON.parse(response.body ?? '{}') as { message: string }).message;

describe('streams handler, defence in depth', () => {
  describe.each(ROUTES)('$method $path', (route) => {
    it.each([
      ['no authorizer context', null],
      ['claims without sub', { token_use: 'id', 'cognito:groups': '[admins]' }],
      ['an empty sub', { sub: '', 'cognito:groups': '[admins]' }],
    ])('answers 401 to %s without calling Kinesis', async (_label, claims) => {
      const { deps, calls } = fakeKinesis();
      const response = await invoke(deps, route, claims);
      expect(response.statusCode).toBe(401);
      expect(calls).toEqual([]);
    });

    it.each([
      ['no groups claim', {}],
      ['another group', { 'cognito:groups': '[users]' }],
      ['a group that only starts like it', { 'cognito:groups': '[adminsX]' }],
      ['a group that only contains it', { 'cognito:groups': '[super-admins]' }],
      ['another case', { 'cognito:groups': '[Admins]' }],
      ['the name with a trailing space inside JSON', { 'cognito:groups': '["admins "]' }],
      ['a group named "admins", quotes included', { 'cognito:groups': '["admins"]' }],
      ['a group named [admins]', { 'cognito:groups': '[[admins]]' }],
      ['a Cyrillic look-alike of the name', { 'cognito:groups': '[\u0430dmins]' }],
      ['the group in another claim', { groups: '[admins]', 'custom:role': 'admins' }],
    ])('answers 403 to a caller with %s, without calling Kinesis', async (_label, extra) => {
      const { deps, calls } = fakeKinesis();
      const response = await invoke(deps, route, { sub: TEST_USER_SUB, token_use: 'id', ...extra });
      expect(response.statusCode).toBe(403);
      expect(message(response)).toBe('Only members of the admins group may use the streams API');
      expect(calls).toEqual([]);
    });

    it('does not read group membership from headers', async () => {
      const { deps, calls } = fakeKinesis();
      const response = await invoke(
        deps,
        route,
        { sub: TEST_USER_SUB, token_use: 'id' },
        {
          'x-cognito-groups': 'admins',
          'x-amzn-oidc-data': JSON.stringify({ 'cognito:groups': ['admins'] }),
        },
      );
      expect(response.statusCode).toBe(403);
      expect(calls).toEqual([]);
    });
  });

  it('admits a member of the admin group as API Gateway renders it ("[users admins]"), so the 403s above are about the group', async () => {
    const { deps, calls } = fakeKinesis(() => ({ StreamNames: [], HasMoreStreams: false }));
    const response = await invoke(deps, ROUTES[0] as Route, {
      sub: TEST_USER_SUB,
      'cognito:groups': '[users admins]',
    });
    expect(response.statusCode).toBe(200);
    expect(calls).toEqual(['ListStreamsCommand']);
  });

  it.each([
    ['AccessDeniedException', 502],
    ['InternalFailure', 502],
    ['ProvisionedThroughputExceededException', 429],
  ])('keeps a Kinesis %s out of the %i body', async (name, status) => {
    const { deps } = fakeKinesis(() => {
      throw Object.assign(
        new Error(
          `User arn:aws:sts::123456789012:assumed-role/streams is not authorized to perform kinesis:PutRecord on arn:aws:kinesis:us-east-1:123456789012:stream/${STREAM}`,
        ),
        { name, $metadata: { httpStatusCode: 400 }, stack: `${name}\n    at send (/var/task/index.mjs:1:2)` },
      );
    });
    const response = await invoke(deps, ROUTES[2] as Route, {
      sub: TEST_USER_SUB,
      'cognito:groups': '[admins]',
    });
    expect(response.statusCode).toBe(status);
    const body = response.body ?? '';
    expect(body).not.toMatch(/\bat\s|Exception|arn:aws|index\.mjs|\$metadata|not authorized|InternalFailure/);
    expect(Object.keys(JSON.parse(body))).toEqual(['message', 'requestId']);
  });
});
