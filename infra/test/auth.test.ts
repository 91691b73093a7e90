import { CognitoUserGroup } from '@cdktf/provider-aws/lib/cognito-user-group';
import { CognitoUserPool } from '@cdktf/provider-aws/lib/cognito-user-pool';
import { CognitoUserPoolClient } from '@cdktf/provider-aws/lib/cognito-user-pool-client';
import { CognitoUserPoolDomain } from '@cdktf/provider-aws/lib/cognito-user-pool-domain';
import { findResource, ref, synth } from './helpers';

describe('auth', () => {
  const { json, tf } = synth();
  const pool = findResource(tf, 'aws_cognito_user_pool', 'name', 'streamdrop-dev-users');
  const poolId = ref('aws_cognito_user_pool', pool.id, 'id');

  describe('user pool', () => {
    it('signs users in with their email address and verifies it automatically', () => {
      expect(json).toHaveResourceWithProperties(CognitoUserPool, {
        username_attributes: ['email'],
        auto_verified_attributes: ['email'],
      });
    });

    it('requires passwords of 12+ characters with upper, lower, digit and symbol', () => {
      expect(json).toHaveResourceWithProperties(CognitoUserPool, {
        password_policy: expect.objectContaining({
          minimum_length: 12,
          require_uppercase: true,
          require_lowercase: true,
          require_numbers: true,
          require_symbols: true,
        }),
      });
    });

    it('offers optional MFA with authenticator apps (TOTP)', () => {
      expect(json).toHaveResourceWithProperties(CognitoUserPool, {
        mfa_configuration: 'OPTIONAL',
        software_token_mfa_configuration: { enabled: true },
      });
    });

    it('recovers accounts by verified email only', () => {
      expect(json).toHaveResourceWithProperties(CognitoUserPool, {
        account_recovery_setting: { recovery_mechanism: [{ name: 'verified_email', priority: 1 }] },
      });
    });

    it('is protected from deletion unless configured otherwise', () => {
      expect(json).toHaveResourceWithProperties(CognitoUserPool, { deletion_protection: 'ACTIVE' });
      expect(synth({ STREAMDROP_DELETION_PROTECTION: 'false' }).json).toHaveResourceWithProperties(
        CognitoUserPool,
        {
          deletion_protection: 'INACTIVE',
        },
      );
    });
  });

  describe('app client', () => {
    it('belongs to the pool and has no secret', () => {
      expect(json).toHaveResourceWithProperties(CognitoUserPoolClient, {
        user_pool_id: poolId,
        generate_secret: false,
      });
    });

    it('allows password, SRP and refresh-token sign-in only', () => {
      expect(json).toHaveResourceWithProperties(CognitoUserPoolClient, {
        explicit_auth_flows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      });
    });

    it('does not reveal whether a user exists', () => {
      expect(json).toHaveResourceWithProperties(CognitoUserPoolClient, {
        prevent_user_existence_errors: 'ENABLED',
      });
    });

    it('uses the OAuth authorization code flow with openid, email and profile scopes', () => {
      expect(json).toHaveResourceWithProperties(CognitoUserPoolClient, {
        allowed_oauth_flows: ['code'],
        allowed_oauth_flows_user_pool_client: true,
        allowed_oauth_scopes: ['openid', 'email', 'profile'],
        supported_identity_providers: ['COGNITO'],
      });
    });

    it('redirects to the configured callback and logout URLs, and to the hosted web client', () => {
      const web = 'https://${aws_cloudfront_distribution.web_cdn_290F614D.domain_name}/';
      expect(json).toHaveResourceWithProperties(CognitoUserPoolClient, {
        callback_urls: ['http://localhost:3000/', web],
        logout_urls: ['http://localhost:3000/', web],
      });
      const custom = synth({
        STREAMDROP_CALLBACK_URLS: 'https://app.example.com/cb',
        STREAMDROP_LOGOUT_URLS: 'https://app.example.com/bye',
        STREAMDROP_WEB_HOSTING: 'false',
      });
      expect(custom.json).toHaveResourceWithProperties(CognitoUserPoolClient, {
        callback_urls: ['https://app.example.com/cb'],
        logout_urls: ['https://app.example.com/bye'],
      });
    });

    it('issues 60-minute ID and access tokens and 30-day refresh tokens', () => {
      expect(json).toHaveResourceWithProperties(CognitoUserPoolClient, {
        id_token_validity: 60,
        access_token_validity: 60,
        refresh_token_validity: 30,
        token_validity_units: [{ id_token: 'minutes', access_token: 'minutes', refresh_token: 'days' }],
      });
    });

    it('lets refresh tokens be revoked', () => {
      expect(json).toHaveResourceWithProperties(CognitoUserPoolClient, { enable_token_revocation: true });
    });
  });

  it('creates the hosted UI domain from the configured prefix', () => {
    expect(json).toHaveResourceWithProperties(CognitoUserPoolDomain, {
      domain: 'streamdrop-dev-auth',
      user_pool_id: poolId,
    });
    expect(synth({ STREAMDROP_AUTH_DOMAIN_SUFFIX: 'acme' }).json).toHaveResourceWithProperties(
      CognitoUserPoolDomain,
      {
        domain: 'streamdrop-dev-acme',
      },
    );
  });

  it('creates the administrators group in the pool', () => {
    expect(json).toHaveResourceWithProperties(CognitoUserGroup, { name: 'admins', user_pool_id: poolId });
    expect(synth({ STREAMDROP_ADMIN_GROUP: 'operators' }).json).toHaveResourceWithProperties(
      CognitoUserGroup,
      {
        name: 'operators',
      },
    );
  });
});
