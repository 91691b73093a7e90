import { fromEnv } from '@aws-sdk/credential-provider-env';
import type { AwsCredentialIdentity } from '@smithy/types';

/**
 * A stand-in for `@aws-sdk/credential-provider-node`, swapped in by the bundler (esbuild
 * `alias`), never imported directly. Lambda hands a function its role's credentials in
 * AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, and the local stack sets the
 * same variables, so the default chain's SSO, INI, process, web-identity and IMDS providers
 * (and the STS/SSO clients they bundle, ~95 KB of a function bundle) are never used.
 * Same exports as the package it replaces; a missing variable fails with the SDK's own error.
 */
export const defaultProvider: typeof fromEnv = (init) => fromEnv(init);

// The replaced package's helpers, kept with the same behaviour (AWS_CREDENTIAL_EXPIRATION sets an expiry).
export const credentialsWillNeedRefresh = (credentials: AwsCredentialIdentity): boolean =>
  credentials?.expiration !== undefined;
export const credentialsTreatedAsExpired = (credentials: AwsCredentialIdentity): boolean =>
  credentials?.expiration !== undefined && credentials.expiration.getTime() - Date.now() < 300_000;
