import { CognitoUserGroup } from '@cdktf/provider-aws/lib/cognito-user-group';
import { CognitoUserPool } from '@cdktf/provider-aws/lib/cognito-user-pool';
import { CognitoUserPoolClient } from '@cdktf/provider-aws/lib/cognito-user-pool-client';
import { CognitoUserPoolDomain } from '@cdktf/provider-aws/lib/cognito-user-pool-domain';
import { stackName } from '@streamdrop/config';
import { Construct } from 'constructs';

export interface AuthOptions {
  readonly stage: string;
  readonly region: string;
  readonly callbackUrls: readonly string[];
  readonly logoutUrls: readonly string[];
  /** Hosted UI domain prefix; unique per region across all AWS accounts. */
  readonly domainPrefix: string;
  readonly adminGroupName: string;
  readonly deletionProtection: boolean;
}

/**
 * Who may call the API: a Cognito user pool (email sign-in, strong passwords, optional TOTP
 * MFA), one public app client for browsers and CLIs, the hosted UI domain, and a group that
 * marks administrators.
 */
export class Auth extends Construct {
  readonly userPool: CognitoUserPool;
  readonly client: CognitoUserPoolClient;
  readonly domain: CognitoUserPoolDomain;
  readonly adminGroup: CognitoUserGroup;
  /** The `iss` of the pool's tokens, which the API's JWT authorizer requires. */
  readonly issuer: string;
  /** Host name of the hosted UI, e.g. `streamdrop-dev-auth.auth.us-east-1.amazoncognito.com`. */
  readonly hostedUiDomain: string;

  constructor(scope: Construct, id: string, options: AuthOptions) {
    super(scope, id);

    this.userPool = new CognitoUserPool(this, 'user-pool', {
      name: `${stackName(options.stage)}-users`,
      usernameAttributes: ['email'],
      autoVerifiedAttributes: ['email'],
      usernameConfiguration: { caseSensitive: false },
      passwordPolicy: {
        minimumLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireNumbers: true,
        requireSymbols: true,
        temporaryPasswordValidityDays: 7,
      },
      mfaConfiguration: 'OPTIONAL',
      softwareTokenMfaConfiguration: { enabled: true },
      accountRecoverySetting: { recoveryMechanism: [{ name: 'verified_email', priority: 1 }] },
      deletionProtection: options.deletionProtection ? 'ACTIVE' : 'INACTIVE',
    });

    this.client = new CognitoUserPoolClient(this, 'client', {
      name: `${stackName(options.stage)}-client`,
      userPoolId: this.userPool.id,
      // A public client (browser, CLI) cannot keep a secret.
      generateSecret: false,
      explicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      preventUserExistenceErrors: 'ENABLED',
      allowedOauthFlows: ['code'],
      allowedOauthFlowsUserPoolClient: true,
      allowedOauthScopes: ['openid', 'email', 'profile'],
      supportedIdentityProviders: ['COGNITO'],
      callbackUrls: [...options.callbackUrls],
      logoutUrls: [...options.logoutUrls],
      idTokenValidity: 60,
      accessTokenValidity: 60,
      refreshTokenValidity: 30,
      tokenValidityUnits: [{ idToken: 'minutes', accessToken: 'minutes', refreshToken: 'days' }],
      enableTokenRevocation: true,
    });

    this.domain = new CognitoUserPoolDomain(this, 'domain', {
      domain: options.domainPrefix,
      userPoolId: this.userPool.id,
    });

    this.adminGroup = new CognitoUserGroup(this, 'admin-group', {
      name: options.adminGroupName,
      userPoolId: this.userPool.id,
      description: 'streamdrop administrators',
      precedence: 0,
    });

    this.issuer = `https://cognito-idp.${options.region}.amazonaws.com/${this.userPool.id}`;
    this.hostedUiDomain = `${this.domain.domain}.auth.${options.region}.amazoncognito.com`;
  }
}
