import type { WebConfig } from '@streamdrop/config';
import { WebConfigSchema } from '../src';

const local: WebConfig = {
  version: 1,
  apiUrl: 'http://127.0.0.1:3001',
  region: 'us-east-1',
  auth: {
    clientId: 'c0idpkwsgn6wl8mmhln8ukv5p',
    issuer: 'http://127.0.0.1:9229/local_3eH25QJz',
    authorizeUrl: 'http://127.0.0.1:9229/oauth2/authorize',
    tokenUrl: 'http://127.0.0.1:9229/oauth2/token',
    scopes: ['openid', 'email', 'profile'],
  },
  adminGroup: 'admins',
};

describe('WebConfigSchema', () => {
  it('reads the config.json the local runtime writes', () => {
    expect(WebConfigSchema.parse(local)).toEqual(local);
  });

  it('refuses a file without the API or the client id, or with a URL that is not http(s)', () => {
    const { apiUrl: _, ...noApi } = local;
    expect(WebConfigSchema.safeParse(noApi).success).toBe(false);
    expect(WebConfigSchema.safeParse({ ...local, auth: { ...local.auth, clientId: '' } }).success).toBe(
      false,
    );
    expect(
      WebConfigSchema.safeParse({ ...local, auth: { ...local.auth, tokenUrl: 'javascript:alert(1)' } })
        .success,
    ).toBe(false);
  });

  it('refuses another version of the file', () => {
    expect(WebConfigSchema.safeParse({ ...local, version: 2 }).success).toBe(false);
  });
});
