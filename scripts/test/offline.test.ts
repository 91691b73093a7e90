import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OFFLINE_OVERRIDE_FILE, offlineEnv, offlineOverride, writeOfflineOverride } from '../src/lib/offline';

let temp: string;
beforeEach(() => {
  temp = mkdtempSync(join(tmpdir(), 'streamdrop-offline-'));
});
afterEach(() => rmSync(temp, { recursive: true, force: true }));

describe('offline override', () => {
  it('is a file terraform merges as an override (*_override.tf.json)', () => {
    expect(OFFLINE_OVERRIDE_FILE).toMatch(/_override\.tf\.json$/);
  });

  it('makes the aws provider skip every call that needs a real account', () => {
    expect(offlineOverride().provider).toEqual({
      aws: [
        {
          skip_credentials_validation: true,
          skip_requesting_account_id: true,
          skip_metadata_api_check: 'true',
        },
      ],
    });
  });

  it('replaces the backend with a throwaway local state file', () => {
    expect(offlineOverride().terraform).toEqual({ backend: { local: { path: 'offline.tfstate' } } });
  });

  it('is written next to cdk.tf.json of the folder it is given', () => {
    const path = writeOfflineOverride(temp);
    expect(path).toBe(join(temp, OFFLINE_OVERRIDE_FILE));
    expect(existsSync(path)).toBe(true);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(offlineOverride());
  });
});

describe('offlineEnv', () => {
  const env = offlineEnv({
    PATH: '/bin',
    AWS_PROFILE: 'prod-admin',
    AWS_SESSION_TOKEN: 'real-token',
    AWS_ACCESS_KEY_ID: 'AKIAREAL',
    AWS_SECRET_ACCESS_KEY: 'real-secret',
    AWS_REGION: 'eu-west-1',
  });

  it('replaces credentials with fake static keys', () => {
    expect(env.AWS_ACCESS_KEY_ID).toBe('AKIAOFFLINEPLAN00000');
    expect(env.AWS_SECRET_ACCESS_KEY).toBe('offline-plan-fake-secret-key');
  });

  it('drops profiles and session tokens that could reach a real account', () => {
    expect(env).not.toHaveProperty('AWS_PROFILE');
    expect(env).not.toHaveProperty('AWS_SESSION_TOKEN');
  });

  it('disables the instance metadata lookup and uses its own terraform data dir', () => {
    expect(env.AWS_EC2_METADATA_DISABLED).toBe('true');
    expect(env.TF_DATA_DIR).toBe('.terraform-offline');
  });

  it('keeps everything else', () => {
    expect(env.PATH).toBe('/bin');
    expect(env.AWS_REGION).toBe('eu-west-1');
  });
});
