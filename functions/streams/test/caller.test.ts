import { TEST_USER_SUB } from '@streamdrop/events/testing';
import { authorizeAdmin, groupsFromClaim } from '../src/caller';

describe('cognito:groups claim', () => {
  it.each([
    ['API Gateway, one group', '[admins]', ['admins']],
    ['API Gateway, several groups', '[users admins]', ['users', 'admins']],
    ['API Gateway, extra spaces', '[ users   admins ]', ['users', 'admins']],
    ['API Gateway, no groups', '[]', []],
    ['a JSON array string', '["admins","users"]', ['admins', 'users']],
    ['a JSON array string with spaces', '[ "users", "admins" ]', ['users', 'admins']],
    ['a real array', ['users', 'admins'], ['users', 'admins']],
    ['a bare name', 'admins', ['admins']],
    ['a group name holding a quote', '[it"s admins]', ['it"s', 'admins']],
    ['a number', 42, []],
    ['nothing', undefined, []],
  ])('reads %s', (_label, claim, groups) => {
    expect(groupsFromClaim(claim)).toEqual(groups);
  });

  it('ignores array items that are not strings', () => {
    expect(groupsFromClaim(['admins', 7, null])).toEqual(['admins']);
    expect(groupsFromClaim('["admins", 7]')).toEqual(['admins']);
  });
});

describe('admin authorization', () => {
  it.each([
    ['[admins]', '[admins]'],
    ['[users admins]', '[users admins]'],
    ['a JSON array string', '["admins"]'],
    ['a real array', ['users', 'admins']],
  ])('lets a member of the admin group in when the claim is %s', (_label, groups) => {
    const caller = authorizeAdmin({ sub: TEST_USER_SUB, 'cognito:groups': groups }, 'admins');

    expect(caller.sub).toBe(TEST_USER_SUB);
    expect(caller.groups).toContain('admins');
  });

  it('lets in an access token as well as an ID token', () => {
    const accessToken = {
      sub: TEST_USER_SUB,
      token_use: 'access',
      client_id: 'abc',
      scope: 'aws.cognito.signin.user.admin',
      'cognito:groups': '[admins]',
    };

    expect(authorizeAdmin(accessToken, 'admins').sub).toBe(TEST_USER_SUB);
  });

  it.each([
    ['another group', '[users]'],
    ['a group whose name only starts like it', '[admins-readonly]'],
    ['the name in another case', '[Admins]'],
    ['no groups', '[]'],
  ])('refuses %s with 403 naming the admin group', (_label, groups) => {
    const refuse = () => authorizeAdmin({ sub: TEST_USER_SUB, 'cognito:groups': groups }, 'admins');

    expect(refuse).toThrow(expect.objectContaining({ name: 'ForbiddenError', statusCode: 403 }));
    expect(refuse).toThrow('Only members of the admins group may use the streams API');
  });

  it('refuses a signed-in caller without a groups claim with 403', () => {
    expect(() => authorizeAdmin({ sub: TEST_USER_SUB }, 'admins')).toThrow(
      expect.objectContaining({ statusCode: 403 }),
    );
  });

  it.each([
    ['no claims', undefined],
    ['no sub', { 'cognito:groups': '[admins]' }],
    ['an empty sub', { sub: '', 'cognito:groups': '[admins]' }],
    ['a sub that is not a string', { sub: 42, 'cognito:groups': '[admins]' }],
  ])('refuses %s with 401', (_label, claims) => {
    expect(() => authorizeAdmin(claims, 'admins')).toThrow(
      expect.objectContaining({ name: 'UnauthorizedError', statusCode: 401 }),
    );
  });
});
