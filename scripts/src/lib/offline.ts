import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Terraform merges `*_override.tf.json` into cdk.tf.json without editing it. */
export const OFFLINE_OVERRIDE_FILE = 'offline_override.tf.json';
/** Offline runs keep their own .terraform folder so that switching modes never asks to migrate state. */
export const OFFLINE_DATA_DIR = '.terraform-offline';
/** Local state of offline plans, inside their own stack folder (.state/offline-plan): a plan never writes it. */
export const OFFLINE_STATE_FILE = 'offline.tfstate';

/**
 * The override for planning without an AWS account: the provider skips the calls that need real
 * credentials (STS GetCallerIdentity, IMDS), and the backend becomes a throwaway local file so
 * that a configured S3 state bucket is never contacted.
 */
export function offlineOverride(): Record<string, unknown> {
  return {
    provider: {
      aws: [
        {
          skip_credentials_validation: true,
          skip_requesting_account_id: true,
          // provider-aws 5.x types this one as a string.
          skip_metadata_api_check: 'true',
        },
      ],
    },
    terraform: { backend: { local: { path: OFFLINE_STATE_FILE } } },
  };
}

export function writeOfflineOverride(stackDir: string): string {
  const path = join(stackDir, OFFLINE_OVERRIDE_FILE);
  writeFileSync(path, `${JSON.stringify(offlineOverride(), null, 2)}\n`);
  return path;
}

/** Static keys that no account accepts: for offline plans and local emulators (moto). */
export const FAKE_CREDENTIALS = {
  accessKeyId: 'AKIAOFFLINEPLAN00000',
  secretAccessKey: 'offline-plan-fake-secret-key',
} as const;

/** Variables that could lead the provider to real credentials; removed from offline runs. */
const CREDENTIAL_VARS = [
  'AWS_PROFILE',
  'AWS_DEFAULT_PROFILE',
  'AWS_SESSION_TOKEN',
  'AWS_SECURITY_TOKEN',
  'AWS_ROLE_ARN',
  'AWS_ROLE_SESSION_NAME',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_CONFIG_FILE',
];

/**
 * The child env of a run that must never reach a real account: fake static keys, nothing that
 * points at real credentials, no instance metadata lookups, and its own terraform data dir.
 */
export function fakeCredentialsEnv(base: NodeJS.ProcessEnv, dataDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const name of CREDENTIAL_VARS) delete env[name];
  env.AWS_ACCESS_KEY_ID = FAKE_CREDENTIALS.accessKeyId;
  env.AWS_SECRET_ACCESS_KEY = FAKE_CREDENTIALS.secretAccessKey;
  env.AWS_EC2_METADATA_DISABLED = 'true';
  env.TF_DATA_DIR = dataDir;
  return env;
}

/** The child env of an offline plan (`pnpm plan:offline`). */
export function offlineEnv(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return fakeCredentialsEnv(base, OFFLINE_DATA_DIR);
}
