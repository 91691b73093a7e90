import { TEST_USER_SUB } from '@streamdrop/events/testing';
import { authorizeAdmin, groupsFromClaim } from '../src/caller';

describe('cognito:groups claim', () => {
  it.each([
    ['one group', '[admins]', ['admins']],
    ['several groups', '[users admins]', ['users', 'admins']],
    ['no groups', '[]', []],
    ['a name holding quotes', '["admins"]', ['"admins"']],
    ['names holding quotes and a comma', '["admins","users"]', ['"admins","users"']],
    ['a name holding brackets', '[[admins]]', ['[admins]']],
    ['a name that only ends in a bracket', '[users admins]]', ['users', 'admins]']],
    ['a name holding a quote in the middle', '[it"s admins]', ['it"s', 'admins']],
    ['names that look like JSON', '[{"admins":true} ["admins"]]', ['{"admins":true}', '["admins"]']],
    ['non-Latin names and an emoji', '[équipe 管理者 مسؤول 🛡️]', ['équipe', '管理者', 'مسؤول', '🛡️']],
  ])("reads API Gateway's flattened array with %s, each name as it was written", (_label, claim, groups) => {
    expect(groupsFromClaim(claim)).toEqual(groups);
  });

  it('keeps what is between two spaces, even nothing, rather than trimming', () => {
    expect(groupsFromClaim('[ admins ]')).toEqual(['', 'admins', '']);
    expect(groupsFromClaim('[admins\t]')).toEqual(['admins\t']);
  });

  it.each([
    ['a real array (the authorizer never passes one)', ['users', 'admins']],
    ['a bare name', 'admins'],
    ['a name in quotes', '"admins"'],
    ['a JSON object', '{"cognito:groups":["admins"]}'],
    ['an opening bracket only', '[admins'],
    ['a closing bracket only', 'admins]'],
    ['a lone bracket', '['],
    ['the empty string', ''],
    ['a number', 42],
    ['null', null],
    ['nothing', undefined],
  ])('reads no groups from %s, a form API Gateway does not write', (_label, claim) => {
    expect(groupsFromClaim(claim)).toEqual([]);
  });
});

describe('admin authorization', () => {
  it.each([
    ['[admins]', '[admins]'],
    ['[users admins]', '[users admins]'],
    ['[admins users] (first of two)', '[admins users]'],
    ['[users "admins" admins] (the real one among look-alikes)', '[users "admins" admins]'],
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
    ['a group named "admins", quotes included', '["admins"]'],
    ['a group named "admins" among others', '[users "admins"]'],
    ["a group named 'admins'", "['admins']"],
    ['a group named [admins]', '[[admins]]'],
    ['a group named [admins', '[[admins]'],
    ['a group named admins]', '[admins]]'],
    ['a group named ["admins"]', '[["admins"]]'],
    ['a group named "admins","users"', '["admins","users"]'],
    ['a group named admins, (a trailing comma)', '[admins,]'],
    ['a group named admins\\ (a trailing backslash)', '[admins\\]'],
    ['the name with a trailing tab', '[admins\t]'],
    ['the name with a no-break space', '[admins\u00a0]'],
    ['the name with a zero-width space', '[admins\u200b]'],
    ['the name with a combining mark', '[admins\u0301]'],
    ['a Cyrillic look-alike (U+0430)', '[\u0430dmins]'],
    ['a fullwidth look-alike', '[\uff41\uff44\uff4d\uff49\uff4e\uff53]'],
    ['a mathematical look-alike', '[\u{1d41a}dmins]'],
    ['a real array, which API Gateway never passes', ['admins']],
    ['a bare name, which API Gateway never passes', 'admins'],
    ['the empty string', ''],
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
