import {
  credentialsTreatedAsExpired,
  credentialsWillNeedRefresh,
  defaultProvider,
} from '../src/env-credentials';

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

describe('env-credentials (the bundler stand-in for the default credential chain)', () => {
  it("returns the role's credentials from the variables Lambda sets", async () => {
    process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'secret';
    process.env.AWS_SESSION_TOKEN = 'token';

    await expect(defaultProvider()()).resolves.toMatchObject({
      accessKeyId: 'AKIDEXAMPLE',
      secretAccessKey: 'secret',
      sessionToken: 'token',
    });
  });

  it('fails with the SDK error when the variables are missing, and asks for no other source', async () => {
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    process.env.AWS_PROFILE = 'someone';

    await expect(defaultProvider()()).rejects.toMatchObject({
      name: 'CredentialsProviderError',
      message: 'Unable to find environment variable credentials.',
    });
  });

  it('treats credentials as expiring only when they carry an expiry', () => {
    const soon = { accessKeyId: 'a', secretAccessKey: 's', expiration: new Date(Date.now() + 60_000) };
    const later = { ...soon, expiration: new Date(Date.now() + 3_600_000) };
    const never = { accessKeyId: 'a', secretAccessKey: 's' };

    expect(credentialsWillNeedRefresh(never)).toBe(false);
    expect(credentialsWillNeedRefresh(later)).toBe(true);
    expect(credentialsTreatedAsExpired(soon)).toBe(true);
    expect(credentialsTreatedAsExpired(later)).toBe(false);
    expect(credentialsTreatedAsExpired(never)).toBe(false);
  });
});
