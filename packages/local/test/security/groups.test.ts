/**
 * Exact group membership through the real gateway and cognito-local: users in groups whose names
 * hold quotes, brackets or JSON — every one a legal Cognito group name, none the admin group —
 * get 403 on every /streams route, with ID and access tokens alike; only the real admin passes.
 * (The groups claim reaches the function flattened, as API Gateway writes it: `[users "admins"]`;
 * it used to be re-parsed as JSON, which made `"admins"` pass as `admins`.)
 */
import {
  AdminAddUserToGroupCommand,
  type CognitoIdentityProviderClient,
  CreateGroupCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { localCognitoClient } from '../../src/clients';
import {
  createUser,
  decodeJwt,
  type SecurityStack,
  signIn,
  snapshot,
  startSecurityStack,
  tokensFor,
} from './support';

jest.setTimeout(120_000);

/** Group names that look like the admin group to a careless reader; each one a user's only group but one. */
const HOSTILE_GROUPS = [
  '"admins"',
  "'admins'",
  '[admins]',
  '[admins',
  'admins]',
  '["admins"]',
  '["users","admins"]',
  '{"admins":true}',
  'admins,users',
  '\\"admins\\"',
  'Admins',
  'аdmins', // Cyrillic а
];

let s: SecurityStack;
let cognito: CognitoIdentityProviderClient;
let adminGroup: string;

beforeAll(async () => {
  s = await startSecurityStack();
  cognito = localCognitoClient(s.stack.config.cognito.endpoint, s.stack.config.region);
  adminGroup = s.stack.config.adminGroup ?? '';
});
afterAll(async () => {
  cognito?.destroy();
  await s?.close();
});

/** A user in `groups` (created in the stack's own pool), signed in: its ID and access tokens. */
async function userIn(name: string, groups: string[]): Promise<{ id: string; access: string }> {
  const { userPoolId, clientId } = s.stack.config.cognito;
  const user = await createUser(s, userPoolId, `${name}@groups.test`);
  for (const group of groups) {
    try {
      await cognito.send(new CreateGroupCommand({ UserPoolId: userPoolId, GroupName: group }));
    } catch (error) {
      if ((error as { name?: string }).name !== 'GroupExistsException') throw error;
    }
    await cognito.send(
      new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: user.username, GroupName: group }),
    );
  }
  const { id, access } = await tokensFor(s, clientId, user);
  return { id, access };
}

/** Every /streams route, with a body that would be accepted from the admin. */
const routes = () => {
  const record = JSON.stringify({ Data: 'hello', PartitionKey: 'k' });
  const records = JSON.stringify({ records: [{ data: 'hello', 'partition-key': 'k' }] });
  return [
    { method: 'GET' as const, path: '/streams' },
    { method: 'GET' as const, path: `/streams/${s.streamName}` },
    { method: 'PUT' as const, path: `/streams/${s.streamName}/record`, body: record },
    { method: 'PUT' as const, path: `/streams/${s.streamName}/records`, body: records },
  ];
};

async function statusesWith(token: string): Promise<number[]> {
  const statuses: number[] = [];
  for (const route of routes()) {
    const res = await s.send({
      ...route,
      headers: {
        authorization: `Bearer ${token}`,
        ...(route.body ? { 'content-type': 'application/json' } : {}),
      },
    });
    statuses.push(res.status);
  }
  return statuses;
}

describe('the admin check on the real local stack', () => {
  it('admits the real admin group (the control)', async () => {
    const admin = await signIn(s.stack, 'admin');
    expect(decodeJwt(admin.access)['cognito:groups']).toEqual([adminGroup]);
    expect(
      (
        await s.send({
          method: 'GET',
          path: '/streams',
          headers: { authorization: `Bearer ${admin.access}` },
        })
      ).status,
    ).toBe(200);
  });

  it.each(HOSTILE_GROUPS.map((g) => [g]))(
    'refuses a member of the group %s (alone and beside another group) on every /streams route',
    async (group) => {
      const slug = Buffer.from(group).toString('hex').slice(0, 24);
      for (const [label, groups] of [
        ['alone', [group]],
        ['with users', ['users', group]],
      ] as const) {
        const tokens = await userIn(`${slug}-${label.replace(' ', '-')}`, [...groups]);
        // The token carries the group exactly as named: it is the gateway and the function that must not misread it.
        expect(decodeJwt(tokens.access)['cognito:groups']).toEqual(expect.arrayContaining([group]));
        const before = await snapshot(s);
        for (const [kind, token] of Object.entries(tokens)) {
          expect({ group, label, kind, statuses: await statusesWith(token) }).toEqual({
            group,
            label,
            kind,
            statuses: [403, 403, 403, 403],
          });
        }
        // Nothing reached the stream.
        expect((await snapshot(s)).records).toBe(before.records);
      }
    },
  );
});
