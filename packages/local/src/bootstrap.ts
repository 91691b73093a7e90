import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminSetUserPasswordCommand,
  type CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  type ExplicitAuthFlowsType,
  type OAuthFlowType,
  UpdateUserPoolClientCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import { CreateBucketCommand, HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { LocalError } from './errors';
import { type LocalIds, localWebEntries, type StackInventory } from './stack/model';
import { prop } from './stack/terraform-json';
import type { Log } from './types';

export interface LocalUser {
  username: string;
  password: string;
}

export interface BootstrapState {
  userPoolId: string;
  clientId: string;
  users: { demo: LocalUser; admin: LocalUser };
}

/** A password that satisfies any Cognito policy: long, all four character classes ('-' is the symbol), and safe to paste into a shell. */
export function generatePassword(): string {
  return `Sd-${randomBytes(18).toString('base64url')}-a1Z`;
}

function readState(file: string): Partial<BootstrapState> {
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Partial<BootstrapState>;
  } catch {
    return {};
  }
}

function writeSecretFile(file: string, value: unknown): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
  chmodSync(file, 0o600);
}

async function exists<T>(call: () => Promise<T>): Promise<boolean> {
  try {
    await call();
    return true;
  } catch (error) {
    const name = (error as { name?: string }).name ?? '';
    if (/NotFound|NoSuch|ResourceNotFound|UserNotFound/.test(name)) return false;
    throw error;
  }
}

/**
 * Creates (or finds again, after a restart) the user pool, app client, groups and users the
 * stack declares in cognito-local, and the buckets and streams in s3rver and kinesalite.
 * Passwords are generated once per state folder and kept in `<stateDir>/bootstrap.json` (0600).
 */
export async function bootstrap(args: {
  stateDir: string;
  inventory: StackInventory;
  cognito: CognitoIdentityProviderClient;
  s3: S3Client;
  kinesis: KinesisClient;
  cognitoEndpoint: string;
  /** The local web client's URL: a sign-in callback and sign-out URL of the app client. */
  webUrl: string;
  shardCount: number;
  log: Log;
}): Promise<{ ids: LocalIds; state: BootstrapState }> {
  const { inventory, cognito, log } = args;
  const file = join(args.stateDir, 'bootstrap.json');
  const saved = readState(file);

  let userPoolId = saved.userPoolId;
  if (
    !userPoolId ||
    !(await exists(() => cognito.send(new DescribeUserPoolCommand({ UserPoolId: userPoolId }))))
  ) {
    const pool = inventory.userPool;
    const policy = prop.block(pool, 'password_policy');
    const created = await cognito.send(
      new CreateUserPoolCommand({
        PoolName: prop.str(pool, 'name'),
        UsernameAttributes: prop.strs(pool, 'username_attributes') as ('email' | 'phone_number')[],
        AutoVerifiedAttributes: prop.strs(pool, 'auto_verified_attributes') as ('email' | 'phone_number')[],
        Policies: policy
          ? {
              PasswordPolicy: {
                MinimumLength: Number(policy.minimum_length ?? 8),
                RequireLowercase: policy.require_lowercase === true,
                RequireUppercase: policy.require_uppercase === true,
                RequireNumbers: policy.require_numbers === true,
                RequireSymbols: policy.require_symbols === true,
              },
            }
          : undefined,
      }),
    );
    userPoolId = created.UserPool?.Id;
    if (!userPoolId) throw new LocalError('cognito-local did not return a user pool id.');
    log.info(`created user pool ${prop.str(pool, 'name')} (${userPoolId})`);
  }

  const client = inventory.userPoolClient;
  // The stack's settings, with its web URLs made local: the local web client is where the hosted
  // UI sends the person back (on AWS, the CloudFront URL the stack adds).
  const settings = {
    ClientName: prop.str(client, 'name'),
    ExplicitAuthFlows: prop.strs(client, 'explicit_auth_flows') as ExplicitAuthFlowsType[],
    AllowedOAuthFlows: prop.strs(client, 'allowed_oauth_flows') as OAuthFlowType[],
    AllowedOAuthScopes: prop.strs(client, 'allowed_oauth_scopes'),
    AllowedOAuthFlowsUserPoolClient: prop.bool(client, 'allowed_oauth_flows_user_pool_client', false),
    CallbackURLs: localWebEntries(prop.strs(client, 'callback_urls'), args.webUrl),
    LogoutURLs: localWebEntries(prop.strs(client, 'logout_urls'), args.webUrl),
    SupportedIdentityProviders: prop.strs(client, 'supported_identity_providers'),
  };
  let clientId = saved.clientId;
  const existing =
    clientId && saved.userPoolId === userPoolId
      ? await cognito
          .send(new DescribeUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: clientId }))
          .then((out) => out.UserPoolClient)
          .catch((error: { name?: string }) => {
            if (/NotFound/.test(error.name ?? '')) return undefined;
            throw error;
          })
      : undefined;
  if (!clientId || !existing) {
    const created = await cognito.send(
      new CreateUserPoolClientCommand({ UserPoolId: userPoolId, GenerateSecret: false, ...settings }),
    );
    clientId = created.UserPoolClient?.ClientId;
    if (!clientId) throw new LocalError('cognito-local did not return an app client id.');
    log.info(`created app client ${settings.ClientName} (${clientId})`);
  } else if (
    JSON.stringify(existing.CallbackURLs ?? []) !== JSON.stringify(settings.CallbackURLs) ||
    JSON.stringify(existing.LogoutURLs ?? []) !== JSON.stringify(settings.LogoutURLs)
  ) {
    // Another web port than last time, or other URLs in the stack: the same client, new URLs.
    await cognito.send(
      new UpdateUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: clientId, ...settings }),
    );
    log.info(`app client ${settings.ClientName}: sign-in callbacks now ${settings.CallbackURLs.join(', ')}`);
  }

  for (const group of inventory.groups) {
    try {
      await cognito.send(new CreateGroupCommand({ UserPoolId: userPoolId, GroupName: group }));
    } catch (error) {
      if ((error as { name?: string }).name !== 'GroupExistsException') throw error;
    }
  }
  const { adminGroup } = inventory;

  const users = {
    demo: saved.users?.demo ?? { username: 'demo@streamdrop.local', password: generatePassword() },
    admin: saved.users?.admin ?? { username: 'admin@streamdrop.local', password: generatePassword() },
  };
  for (const [role, user] of Object.entries(users)) {
    const present = await exists(() =>
      cognito.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: user.username })),
    );
    if (!present) {
      await cognito.send(
        new AdminCreateUserCommand({
          UserPoolId: userPoolId,
          Username: user.username,
          MessageAction: 'SUPPRESS',
          UserAttributes: [
            { Name: 'email', Value: user.username },
            { Name: 'email_verified', Value: 'true' },
          ],
        }),
      );
      log.info(`created ${role} user ${user.username}`);
    }
    // Setting it every start keeps cognito-local in step with the saved file.
    await cognito.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: userPoolId,
        Username: user.username,
        Password: user.password,
        Permanent: true,
      }),
    );
    if (role === 'admin' && adminGroup) {
      await cognito.send(
        new AdminAddUserToGroupCommand({
          UserPoolId: userPoolId,
          Username: user.username,
          GroupName: adminGroup,
        }),
      );
    }
  }

  for (const bucket of inventory.buckets) {
    if (!(await exists(() => args.s3.send(new HeadBucketCommand({ Bucket: bucket.name }))))) {
      await args.s3.send(new CreateBucketCommand({ Bucket: bucket.name }));
      log.info(`created bucket ${bucket.name}`);
    }
  }
  for (const stream of inventory.streams) {
    if (
      !(await exists(() => args.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: stream.name }))))
    ) {
      // kinesalite has no ON_DEMAND mode: a provisioned stream with a configurable shard count stands in.
      await args.kinesis.send(
        new CreateStreamCommand({ StreamName: stream.name, ShardCount: args.shardCount }),
      );
      log.info(`created stream ${stream.name} (${args.shardCount} shard${args.shardCount === 1 ? '' : 's'})`);
    }
    for (let i = 0; i < 50; i++) {
      const summary = await args.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: stream.name }));
      if (summary.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') break;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  const state: BootstrapState = { userPoolId, clientId, users };
  writeSecretFile(file, state);
  return { ids: { userPoolId, clientId, cognitoEndpoint: args.cognitoEndpoint, webUrl: args.webUrl }, state };
}
