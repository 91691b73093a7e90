/**
 * For every policy rule, deliberately bad stacks it must report: each is the compliant fixture
 * with one thing broken, and the message the violation must carry. A rule without an entry here
 * fails policy.test.ts.
 */
import { body, drop, identityPolicy, put } from './fixtures';
import type { TfStack } from './terraform';

export type Breakage = (stack: TfStack) => void;
export type NegativeCase = [label: string, breakage: Breakage, message: RegExp];

const fn = (s: TfStack) => body(s, 'aws_lambda_function', 'f');
const esm = (s: TfStack) => body(s, 'aws_lambda_event_source_mapping', 'm');
const alarm = (s: TfStack, name: string) => body(s, 'aws_cloudwatch_metric_alarm', name);
const lifecycleRule = (s: TfStack): Record<string, unknown> => {
  const [rule] = body(s, 'aws_s3_bucket_lifecycle_configuration', 'b').rule as Record<string, unknown>[];
  if (!rule) throw new Error('fixture lifecycle configuration has no rule');
  return rule;
};
const corsRule = (s: TfStack): Record<string, unknown> => {
  const [rule] = body(s, 'aws_s3_bucket_cors_configuration', 'b').cors_rule as Record<string, unknown>[];
  if (!rule) throw new Error('fixture CORS configuration has no rule');
  return rule;
};
const roleStatements = (s: TfStack, statements: object[]) => {
  body(s, 'aws_iam_role_policy', 'p').policy = identityPolicy(statements);
};
const pab = (flag: string): NegativeCase[] => [
  [
    'a bucket without a public access block',
    (s) => drop(s, 'aws_s3_bucket_public_access_block'),
    /has no aws_s3_bucket_public_access_block/,
  ],
  [
    `a public access block with ${flag} = false`,
    (s) => {
      body(s, 'aws_s3_bucket_public_access_block', 'b')[flag] = false;
    },
    new RegExp(`${flag} is not true`),
  ],
  [
    `a public access block that leaves ${flag} unset`,
    (s) => {
      delete body(s, 'aws_s3_bucket_public_access_block', 'b')[flag];
    },
    new RegExp(`${flag} is not true`),
  ],
];

import { WEB_NEGATIVES } from './web-negatives';

export const NEGATIVES: Record<string, NegativeCase[]> = {
  ...WEB_NEGATIVES,
  S3_BLOCK_PUBLIC_ACLS: pab('block_public_acls'),
  S3_BLOCK_PUBLIC_POLICY: pab('block_public_policy'),
  S3_IGNORE_PUBLIC_ACLS: pab('ignore_public_acls'),
  S3_RESTRICT_PUBLIC_BUCKETS: pab('restrict_public_buckets'),
  S3_ENCRYPTION_AT_REST: [
    [
      'a bucket without default encryption',
      (s) => drop(s, 'aws_s3_bucket_server_side_encryption_configuration'),
      /declares no default server-side encryption/,
    ],
    [
      'an unknown algorithm',
      (s) => {
        body(s, 'aws_s3_bucket_server_side_encryption_configuration', 'b').rule = [
          { apply_server_side_encryption_by_default: { sse_algorithm: 'none' } },
        ];
      },
      /unknown sse_algorithm none/,
    ],
  ],
  S3_VERSIONING: [
    [
      'versioning Suspended',
      (s) => {
        body(s, 'aws_s3_bucket_versioning', 'b').versioning_configuration = { status: 'Suspended' };
      },
      /does not have versioning Enabled/,
    ],
    [
      'no versioning resource',
      (s) => drop(s, 'aws_s3_bucket_versioning'),
      /does not have versioning Enabled/,
    ],
  ],
  S3_TLS_ONLY: [
    ['a bucket without a policy', (s) => drop(s, 'aws_s3_bucket_policy'), /has no bucket policy/],
    [
      'a Deny without the aws:SecureTransport condition',
      (s) => {
        const p = JSON.parse(String(body(s, 'aws_s3_bucket_policy', 'b').policy));
        delete p.Statement[0].Condition;
        body(s, 'aws_s3_bucket_policy', 'b').policy = JSON.stringify(p);
      },
      /no bucket policy statement denies/,
    ],
    [
      'a TLS Deny on the bucket but not its objects',
      (s) => {
        const p = JSON.parse(String(body(s, 'aws_s3_bucket_policy', 'b').policy));
        p.Statement[0].Resource = ['${aws_s3_bucket.b.arn}'];
        body(s, 'aws_s3_bucket_policy', 'b').policy = JSON.stringify(p);
      },
      /no bucket policy statement denies/,
    ],
    [
      'a TLS Deny of s3:GetObject only',
      (s) => {
        const p = JSON.parse(String(body(s, 'aws_s3_bucket_policy', 'b').policy));
        p.Statement[0].Action = 's3:GetObject';
        body(s, 'aws_s3_bucket_policy', 'b').policy = JSON.stringify(p);
      },
      /no bucket policy statement denies/,
    ],
    [
      'a policy the rule cannot read',
      (s) => {
        body(s, 'aws_s3_bucket_policy', 'b').policy = '${data.aws_iam_policy_document.missing.json}';
      },
      /unreadable: data\.aws_iam_policy_document\.missing is not in the stack/,
    ],
  ],
  S3_NO_PUBLIC_ACL: [
    [
      'a public-read canned ACL on the bucket',
      (s) => {
        body(s, 'aws_s3_bucket', 'b').acl = 'public-read';
      },
      /canned ACL public-read/,
    ],
    [
      'a public-read-write aws_s3_bucket_acl',
      (s) => put(s, 'aws_s3_bucket_acl', 'b', { bucket: '${aws_s3_bucket.b.id}', acl: 'public-read-write' }),
      /sets the canned ACL public-read-write/,
    ],
    [
      'a grant to AllUsers',
      (s) =>
        put(s, 'aws_s3_bucket_acl', 'b', {
          bucket: '${aws_s3_bucket.b.id}',
          access_control_policy: {
            grant: [
              {
                grantee: { type: 'Group', uri: 'http://acs.amazonaws.com/groups/global/AllUsers' },
                permission: 'READ',
              },
            ],
          },
        }),
      /grants READ to http:\/\/acs\.amazonaws\.com\/groups\/global\/AllUsers/,
    ],
  ],
  S3_ACLS_DISABLED: [
    [
      'BucketOwnerPreferred ownership',
      (s) => {
        body(s, 'aws_s3_bucket_ownership_controls', 'b').rule = { object_ownership: 'BucketOwnerPreferred' };
      },
      /does not enforce BucketOwnerEnforced/,
    ],
    [
      'no ownership controls',
      (s) => drop(s, 'aws_s3_bucket_ownership_controls'),
      /does not enforce BucketOwnerEnforced/,
    ],
  ],
  S3_POLICY_NO_PUBLIC_ALLOW: [
    [
      'an Allow of s3:GetObject to Principal "*"',
      (s) => {
        body(s, 'aws_s3_bucket_policy', 'b').policy = identityPolicy([
          {
            Sid: 'Public',
            Effect: 'Allow',
            Principal: '*',
            Action: 's3:GetObject',
            Resource: '${aws_s3_bucket.b.arn}/*',
          },
        ]);
      },
      /statement Public allows s3:GetObject to any principal/,
    ],
    [
      'an Allow to {"AWS": "*"} written as a policy document',
      (s) => {
        s.data = {
          aws_iam_policy_document: {
            open: {
              statement: [
                {
                  sid: 'Open',
                  effect: 'Allow',
                  actions: ['s3:PutObject'],
                  principals: [{ type: 'AWS', identifiers: ['*'] }],
                  resources: ['${aws_s3_bucket.b.arn}/*'],
                },
              ],
            },
          },
        };
        body(s, 'aws_s3_bucket_policy', 'b').policy = '${data.aws_iam_policy_document.open.json}';
      },
      /statement Open allows s3:PutObject to any principal/,
    ],
  ],
  S3_LIFECYCLE: [
    [
      'no lifecycle configuration',
      (s) => drop(s, 'aws_s3_bucket_lifecycle_configuration'),
      /aborts incomplete multipart uploads/,
    ],
    [
      'a disabled rule',
      (s) => {
        lifecycleRule(s).status = 'Disabled';
      },
      /expires noncurrent versions/,
    ],
    [
      'a rule without abort_incomplete_multipart_upload',
      (s) => {
        delete lifecycleRule(s).abort_incomplete_multipart_upload;
      },
      /no enabled lifecycle rule aborts incomplete multipart uploads/,
    ],
  ],
  KINESIS_ENCRYPTION: [
    [
      'encryption_type NONE',
      (s) => {
        body(s, 'aws_kinesis_stream', 's').encryption_type = 'NONE';
      },
      /encryption_type is NONE/,
    ],
    [
      'no encryption settings',
      (s) => {
        const k = body(s, 'aws_kinesis_stream', 's');
        delete k.encryption_type;
        delete k.kms_key_id;
      },
      /encryption_type is NONE/,
    ],
    [
      'KMS without a key',
      (s) => {
        delete body(s, 'aws_kinesis_stream', 's').kms_key_id;
      },
      /KMS but no kms_key_id/,
    ],
  ],
  LAMBDA_RUNTIME_SUPPORTED: [
    [
      'nodejs18.x (deprecated)',
      (s) => {
        fn(s).runtime = 'nodejs18.x';
      },
      /runtime nodejs18\.x is not supported/,
    ],
    [
      'nodejs20.x (end of life April 2026)',
      (s) => {
        fn(s).runtime = 'nodejs20.x';
      },
      /runtime nodejs20\.x is not supported/,
    ],
  ],
  LOG_GROUP_RETENTION: [
    [
      'a log group without retention',
      (s) => {
        delete body(s, 'aws_cloudwatch_log_group', 'g').retention_in_days;
      },
      /sets no finite retention_in_days/,
    ],
    [
      'retention 0 (never expire)',
      (s) => {
        body(s, 'aws_cloudwatch_log_group', 'access').retention_in_days = 0;
      },
      /sets no finite retention_in_days/,
    ],
  ],
  LAMBDA_LOG_GROUP_MANAGED: [
    [
      'a function whose log group is not in the stack',
      (s) => {
        body(s, 'aws_cloudwatch_log_group', 'g').name = '/aws/lambda/another';
      },
      /has no \/aws\/lambda\/<name> log group/,
    ],
    [
      'a function created before its log group',
      (s) => {
        fn(s).depends_on = ['aws_iam_role_policy.p'];
      },
      /does not depend on aws_cloudwatch_log_group\.g/,
    ],
  ],
  LAMBDA_NO_SECRETS_IN_ENV: [
    [
      'a DB_PASSWORD variable',
      (s) => {
        (fn(s).environment as { variables: Record<string, string> }).variables.DB_PASSWORD = 'hunter2';
      },
      /DB_PASSWORD is named like a secret/,
    ],
    [
      'an AWS access key id in a value',
      (s) => {
        (fn(s).environment as { variables: Record<string, string> }).variables.UPSTREAM =
          'AKIAIOSFODNN7EXAMPLE';
      },
      /UPSTREAM holds an AWS access key id/,
    ],
    [
      'a JWT in a value',
      (s) => {
        (fn(s).environment as { variables: Record<string, string> }).variables.BOOT =
          'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJl';
      },
      /BOOT holds a JWT/,
    ],
  ],
  LAMBDA_ROLE_PER_FUNCTION: [
    [
      'two functions sharing one role',
      (s) => put(s, 'aws_lambda_function', 'g', { ...fn(s), function_name: 'fixture-other' }),
      /shares its role with aws_lambda_function\.g/,
    ],
  ],
  LAMBDA_CONCURRENCY_BOUNDED: [
    [
      'an API stage without throttling',
      (s) => {
        delete body(s, 'aws_apigatewayv2_stage', 's').default_route_settings;
      },
      /of an API whose stage has no throttling/,
    ],
    [
      'a stream mapping without parallelization_factor',
      (s) => {
        delete esm(s).parallelization_factor;
      },
      /sets no parallelization_factor/,
    ],
    [
      'an S3 notification permission (unbounded fan-in)',
      (s) =>
        put(s, 'aws_lambda_permission', 's3', {
          action: 'lambda:InvokeFunction',
          function_name: '${aws_lambda_function.f.function_name}',
          principal: 's3.amazonaws.com',
          source_arn: '${aws_s3_bucket.b.arn}',
        }),
      /is invoked by s3\.amazonaws\.com .* with no concurrency bound/,
    ],
  ],
  LAMBDA_ASYNC_FAILURES_CAPTURED: [
    [
      'an SNS-invoked function without a DLQ or destination',
      (s) =>
        put(s, 'aws_lambda_permission', 'sns', {
          action: 'lambda:InvokeFunction',
          function_name: '${aws_lambda_function.f.function_name}',
          principal: 'sns.amazonaws.com',
          source_arn: 'arn:aws:sns:eu-west-1:123456789012:topic',
        }),
      /invoked asynchronously by sns\.amazonaws\.com and has neither a DLQ nor an on-failure destination/,
    ],
  ],
  LAMBDA_PERMISSION_SCOPED: [
    [
      'a permission for principal "*"',
      (s) => {
        body(s, 'aws_lambda_permission', 'api').principal = '*';
      },
      /grants to any principal/,
    ],
    [
      'an API Gateway permission without source_arn',
      (s) => {
        delete body(s, 'aws_lambda_permission', 'api').source_arn;
      },
      /on behalf of any account \(no source_arn\)/,
    ],
    [
      'a permission for lambda:*',
      (s) => {
        body(s, 'aws_lambda_permission', 'api').action = 'lambda:*';
      },
      /grants lambda:\*/,
    ],
  ],
  ESM_ON_FAILURE_DESTINATION: [
    [
      'no destination_config',
      (s) => {
        delete esm(s).destination_config;
      },
      /failed records would be dropped/,
    ],
  ],
  ESM_BISECT_ON_ERROR: [
    [
      'bisect false',
      (s) => {
        esm(s).bisect_batch_on_function_error = false;
      },
      /does not bisect/,
    ],
    [
      'bisect unset (default false)',
      (s) => {
        delete esm(s).bisect_batch_on_function_error;
      },
      /does not bisect/,
    ],
  ],
  ESM_BOUNDED_RETRIES: [
    [
      'retries -1 (until expiry)',
      (s) => {
        esm(s).maximum_retry_attempts = -1;
      },
      /maximum_retry_attempts is -1/,
    ],
    [
      'retries unset (default -1)',
      (s) => {
        delete esm(s).maximum_retry_attempts;
      },
      /unset \(-1: until expiry\)/,
    ],
  ],
  ESM_BOUNDED_RECORD_AGE: [
    [
      'record age -1 (until expiry)',
      (s) => {
        esm(s).maximum_record_age_in_seconds = -1;
      },
      /maximum_record_age_in_seconds is -1/,
    ],
    [
      'record age unset (default -1)',
      (s) => {
        delete esm(s).maximum_record_age_in_seconds;
      },
      /unset \(-1: until expiry\)/,
    ],
  ],
  ESM_PARTIAL_BATCH_RESPONSE: [
    [
      'no function_response_types',
      (s) => {
        delete esm(s).function_response_types;
      },
      /lacks ReportBatchItemFailures/,
    ],
  ],
  IAM_NO_WILDCARD_ACTIONS: [
    [
      'Action "*"',
      (s) =>
        roleStatements(s, [{ Sid: 'All', Effect: 'Allow', Action: '*', Resource: '${aws_s3_bucket.b.arn}' }]),
      /statement All allows wildcard actions \*/,
    ],
    [
      'Action "s3:*"',
      (s) =>
        roleStatements(s, [
          { Sid: 'S3', Effect: 'Allow', Action: ['s3:*'], Resource: ['${aws_s3_bucket.b.arn}/*'] },
        ]),
      /statement S3 allows wildcard actions s3:\*/,
    ],
    [
      'Action "s3:Get*"',
      (s) =>
        roleStatements(s, [
          { Sid: 'Get', Effect: 'Allow', Action: ['s3:Get*'], Resource: ['${aws_s3_bucket.b.arn}/*'] },
        ]),
      /allows wildcard actions s3:Get\*/,
    ],
    [
      'Allow with NotAction',
      (s) =>
        roleStatements(s, [
          { Sid: 'Not', Effect: 'Allow', NotAction: ['iam:*'], Resource: ['${aws_s3_bucket.b.arn}'] },
        ]),
      /allows by NotAction/,
    ],
  ],
  IAM_NO_WILDCARD_RESOURCES: [
    [
      's3:GetObject on "*"',
      (s) => roleStatements(s, [{ Sid: 'Read', Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['*'] }]),
      /statement Read allows s3:GetObject on a wildcard resource/,
    ],
    [
      'ListStreams (excepted) together with DescribeStream on "*"',
      (s) =>
        roleStatements(s, [
          {
            Sid: 'Mixed',
            Effect: 'Allow',
            Action: ['kinesis:ListStreams', 'kinesis:DescribeStream'],
            Resource: '*',
          },
        ]),
      /statement Mixed allows kinesis:DescribeStream on a wildcard resource/,
    ],
    [
      'every bucket (arn:aws:s3:::*)',
      (s) =>
        roleStatements(s, [
          { Sid: 'Buckets', Effect: 'Allow', Action: ['s3:ListBucket'], Resource: ['arn:aws:s3:::*'] },
        ]),
      /allows s3:ListBucket on a wildcard resource/,
    ],
    [
      'Allow with NotResource',
      (s) =>
        roleStatements(s, [
          {
            Sid: 'NotRes',
            Effect: 'Allow',
            Action: ['s3:GetObject'],
            NotResource: ['arn:aws:s3:::secret/*'],
          },
        ]),
      /allows by NotResource/,
    ],
    [
      'a role inline_policy block',
      (s) => {
        body(s, 'aws_iam_role', 'r').inline_policy = [
          {
            name: 'inline',
            policy: identityPolicy([
              { Sid: 'Inline', Effect: 'Allow', Action: ['kinesis:PutRecord'], Resource: ['*'] },
            ]),
          },
        ];
      },
      /statement Inline allows kinesis:PutRecord on a wildcard resource/,
    ],
  ],
  IAM_TRUST_SPECIFIC_SERVICE: [
    [
      'a trust policy for Principal "*"',
      (s) => {
        body(s, 'aws_iam_role', 'r').assume_role_policy = identityPolicy([
          { Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' },
        ]);
      },
      /trusts a principal that is not a named AWS service/,
    ],
    [
      'a trust policy for an account root',
      (s) => {
        body(s, 'aws_iam_role', 'r').assume_role_policy = identityPolicy([
          { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 'sts:AssumeRole' },
        ]);
      },
      /not a named AWS service/,
    ],
    [
      'a trust policy allowing sts:*',
      (s) => {
        body(s, 'aws_iam_role', 'r').assume_role_policy = identityPolicy([
          { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:*' },
        ]);
      },
      /allows sts:\*/,
    ],
  ],
  IAM_NO_BROAD_MANAGED_POLICIES: [
    [
      'AdministratorAccess attached',
      (s) =>
        put(s, 'aws_iam_role_policy_attachment', 'admin', {
          role: '${aws_iam_role.r.name}',
          policy_arn: 'arn:aws:iam::aws:policy/AdministratorAccess',
        }),
      /attaches arn:aws:iam::aws:policy\/AdministratorAccess/,
    ],
    [
      'PowerUserAccess in managed_policy_arns',
      (s) => {
        body(s, 'aws_iam_role', 'r').managed_policy_arns = ['arn:aws:iam::aws:policy/PowerUserAccess'];
      },
      /attaches arn:aws:iam::aws:policy\/PowerUserAccess/,
    ],
  ],
  API_ROUTE_AUTHORIZATION: [
    [
      'a route with authorization NONE',
      (s) => {
        body(s, 'aws_apigatewayv2_route', 'r').authorization_type = 'NONE';
      },
      /POST \/uploads has authorization NONE/,
    ],
    [
      'a route without authorization_type (defaults to NONE)',
      (s) => {
        delete body(s, 'aws_apigatewayv2_route', 'r').authorization_type;
      },
      /has authorization NONE/,
    ],
    [
      'a JWT route without an authorizer',
      (s) => {
        delete body(s, 'aws_apigatewayv2_route', 'r').authorizer_id;
      },
      /is JWT without an authorizer_id/,
    ],
  ],
  API_JWT_AUTHORIZER_PINNED: [
    [
      'an http issuer',
      (s) => {
        (body(s, 'aws_apigatewayv2_authorizer', 'j').jwt_configuration as Record<string, unknown>).issuer =
          'http://idp.example.com';
      },
      /is not an https URL/,
    ],
    [
      'no audience',
      (s) => {
        (body(s, 'aws_apigatewayv2_authorizer', 'j').jwt_configuration as Record<string, unknown>).audience =
          [];
      },
      /has no audience/,
    ],
    [
      'a wildcard audience',
      (s) => {
        (body(s, 'aws_apigatewayv2_authorizer', 'j').jwt_configuration as Record<string, unknown>).audience =
          ['*'];
      },
      /wildcard audience/,
    ],
    [
      'the token read from the query string',
      (s) => {
        body(s, 'aws_apigatewayv2_authorizer', 'j').identity_sources = ['$request.querystring.token'];
      },
      /reads the token from \$request\.querystring\.token/,
    ],
  ],
  API_STAGE_THROTTLING: [
    [
      'no default_route_settings',
      (s) => {
        delete body(s, 'aws_apigatewayv2_stage', 's').default_route_settings;
      },
      /throttling_burst_limit is not set above 0/,
    ],
    [
      'a burst limit of 0',
      (s) => {
        body(s, 'aws_apigatewayv2_stage', 's').default_route_settings = {
          throttling_burst_limit: 0,
          throttling_rate_limit: 50,
        };
      },
      /throttling_burst_limit is not set above 0/,
    ],
  ],
  API_STAGE_ACCESS_LOGGING: [
    [
      'no access_log_settings',
      (s) => {
        delete body(s, 'aws_apigatewayv2_stage', 's').access_log_settings;
      },
      /has no access_log_settings\.destination_arn/,
    ],
    [
      'a CLF (not JSON) format',
      (s) => {
        (body(s, 'aws_apigatewayv2_stage', 's').access_log_settings as Record<string, unknown>).format =
          '$context.identity.sourceIp $context.requestTime';
      },
      /access log format is not JSON/,
    ],
    [
      'JSON without the request id',
      (s) => {
        (body(s, 'aws_apigatewayv2_stage', 's').access_log_settings as Record<string, unknown>).format =
          JSON.stringify({ status: '$context.status' });
      },
      /lacks \$context\.requestId/,
    ],
  ],
  API_CORS_RESTRICTED: [
    [
      'allow_origins "*"',
      (s) => {
        (body(s, 'aws_apigatewayv2_api', 'a').cors_configuration as Record<string, unknown>).allow_origins = [
          '*',
        ];
      },
      /allows the wildcard origin \*/,
    ],
    [
      'a wildcard subdomain',
      (s) => {
        (body(s, 'aws_apigatewayv2_api', 'a').cors_configuration as Record<string, unknown>).allow_origins = [
          'https://*.example.com',
        ];
      },
      /allows the wildcard origin/,
    ],
    [
      'a plain-http origin other than localhost',
      (s) => {
        (body(s, 'aws_apigatewayv2_api', 'a').cors_configuration as Record<string, unknown>).allow_origins = [
          'http://app.example.com',
        ];
      },
      /over plain http/,
    ],
    [
      'credentials with any header',
      (s) => {
        Object.assign(body(s, 'aws_apigatewayv2_api', 'a').cors_configuration as object, {
          allow_credentials: true,
          allow_headers: ['*'],
        });
      },
      /allows credentials with any header/,
    ],
  ],
  COGNITO_PASSWORD_POLICY: [
    [
      'no password policy',
      (s) => {
        delete body(s, 'aws_cognito_user_pool', 'u').password_policy;
      },
      /has no password_policy/,
    ],
    [
      '8 characters',
      (s) => {
        (body(s, 'aws_cognito_user_pool', 'u').password_policy as Record<string, unknown>).minimum_length = 8;
      },
      /minimum_length is 8, below 12/,
    ],
    [
      'symbols not required',
      (s) => {
        (body(s, 'aws_cognito_user_pool', 'u').password_policy as Record<string, unknown>).require_symbols =
          false;
      },
      /require_symbols is not true/,
    ],
    [
      'temporary passwords valid 30 days',
      (s) => {
        (
          body(s, 'aws_cognito_user_pool', 'u').password_policy as Record<string, unknown>
        ).temporary_password_validity_days = 30;
      },
      /more than 7 days/,
    ],
  ],
  COGNITO_PREVENT_USER_EXISTENCE_ERRORS: [
    [
      'LEGACY',
      (s) => {
        body(s, 'aws_cognito_user_pool_client', 'c').prevent_user_existence_errors = 'LEGACY';
      },
      /is not ENABLED/,
    ],
    [
      'unset (Cognito defaults to LEGACY for clients created through the API)',
      (s) => {
        delete body(s, 'aws_cognito_user_pool_client', 'c').prevent_user_existence_errors;
      },
      /is not ENABLED/,
    ],
  ],
  COGNITO_MFA_CONFIGURABLE: [
    [
      'MFA OFF',
      (s) => {
        body(s, 'aws_cognito_user_pool', 'u').mfa_configuration = 'OFF';
      },
      /mfa_configuration is OFF/,
    ],
    [
      'MFA unset (OFF)',
      (s) => {
        delete body(s, 'aws_cognito_user_pool', 'u').mfa_configuration;
      },
      /mfa_configuration is OFF/,
    ],
    [
      'OPTIONAL without TOTP',
      (s) => {
        delete body(s, 'aws_cognito_user_pool', 'u').software_token_mfa_configuration;
      },
      /TOTP software token MFA is not enabled/,
    ],
  ],
  COGNITO_TOKEN_VALIDITY_BOUNDED: [
    [
      'ID tokens valid 24 hours',
      (s) => {
        const c = body(s, 'aws_cognito_user_pool_client', 'c');
        c.id_token_validity = 24;
        c.token_validity_units = [{ id_token: 'hours', access_token: 'minutes', refresh_token: 'days' }];
      },
      /id tokens live 1440 minutes/,
    ],
    [
      'access tokens of 2 in the default unit (hours)',
      (s) => {
        const c = body(s, 'aws_cognito_user_pool_client', 'c');
        c.access_token_validity = 2;
        delete c.token_validity_units;
        c.id_token_validity = 1;
      },
      /access tokens live 120 minutes/,
    ],
    [
      'refresh tokens valid 10 years',
      (s) => {
        body(s, 'aws_cognito_user_pool_client', 'c').refresh_token_validity = 3650;
      },
      /refresh tokens live 3650 days/,
    ],
    [
      'no access token validity',
      (s) => {
        delete body(s, 'aws_cognito_user_pool_client', 'c').access_token_validity;
      },
      /access_token_validity is not set/,
    ],
    [
      'token revocation disabled',
      (s) => {
        body(s, 'aws_cognito_user_pool_client', 'c').enable_token_revocation = false;
      },
      /token revocation is disabled/,
    ],
  ],
  COGNITO_CLIENT_SAFE_OAUTH: [
    [
      'the implicit flow',
      (s) => {
        body(s, 'aws_cognito_user_pool_client', 'c').allowed_oauth_flows = ['code', 'implicit'];
      },
      /allows the implicit flow/,
    ],
    [
      'a plain-http callback to another host',
      (s) => {
        body(s, 'aws_cognito_user_pool_client', 'c').callback_urls = ['http://evil.example.com/cb'];
      },
      /redirects to http:\/\/evil\.example\.com\/cb/,
    ],
  ],
  LAMBDA_TRACING_ACTIVE: [
    [
      'a function without tracing_config',
      (s) => void delete fn(s).tracing_config,
      /tracing_config mode is unset/,
    ],
    [
      'a function tracing PassThrough',
      (s) => {
        fn(s).tracing_config = { mode: 'PassThrough' };
      },
      /tracing_config mode is PassThrough/,
    ],
  ],
  LAMBDA_STRUCTURED_LOGS: [
    ['a function without logging_config', (s) => void delete fn(s).logging_config, /log_format is unset/],
    [
      'a function logging Text',
      (s) => {
        fn(s).logging_config = { log_format: 'Text' };
      },
      /log_format is Text/,
    ],
  ],
  ALARM_ACTIONS: [
    ['an alarm without actions', (s) => void delete alarm(s, 'errors').alarm_actions, /has no alarm_actions/],
    [
      'an alarm whose actions are disabled',
      (s) => {
        alarm(s, 'errors').actions_enabled = false;
      },
      /actions_enabled = false/,
    ],
  ],
  ALARM_ITERATOR_AGE: [
    [
      'no iterator age alarm',
      (s) => void delete s.resource?.aws_cloudwatch_metric_alarm?.age,
      /no alarm with an action watches the IteratorAge of aws_lambda_function\.f/,
    ],
    [
      'an iterator age alarm on another function',
      (s) => {
        alarm(s, 'age').dimensions = { FunctionName: 'other-fn' };
      },
      /watches the IteratorAge/,
    ],
    [
      'an iterator age alarm that notifies nobody',
      (s) => {
        alarm(s, 'age').alarm_actions = [];
      },
      /watches the IteratorAge/,
    ],
  ],
  ALARM_FUNCTION_ERRORS: [
    [
      'no errors alarm',
      (s) => void delete s.resource?.aws_cloudwatch_metric_alarm?.errors,
      /no alarm with an action watches its Errors/,
    ],
    [
      'an alarm on Throttles instead of Errors',
      (s) => {
        alarm(s, 'errors').metric_name = 'Throttles';
      },
      /watches its Errors/,
    ],
  ],
  ALARM_ON_FAILURE_RECORDS: [
    [
      'no request metrics filter on the destination bucket',
      (s) => drop(s, 'aws_s3_bucket_metric'),
      /nothing counts the records it writes to aws_s3_bucket\.b/,
    ],
    [
      "a filter on another prefix (the processor's own records)",
      (s) => {
        body(s, 'aws_s3_bucket_metric', 'b').filter = { prefix: 'processor/' };
      },
      /nothing counts the records/,
    ],
    [
      'no alarm on the filter',
      (s) => void delete s.resource?.aws_cloudwatch_metric_alarm?.failures,
      /no alarm with an action watches the PutRequests/,
    ],
    [
      "an alarm on another filter's PutRequests",
      (s) => {
        const query = (alarm(s, 'failures').metric_query as { metric?: { dimensions: object } }[])[1];
        if (query?.metric)
          query.metric.dimensions = { BucketName: '${aws_s3_bucket.b.bucket}', FilterId: 'all' };
      },
      /watches the PutRequests/,
    ],
  ],
  S3_CORS_RESTRICTED: [
    [
      'a wildcard origin on the bucket',
      (s) => {
        corsRule(s).allowed_origins = ['*'];
      },
      /allows the wildcard origin \*/,
    ],
    [
      "an origin the API's configuration does not name",
      (s) => {
        corsRule(s).allowed_origins = ['https://evil.example.net'];
      },
      /allows https:\/\/evil\.example\.net, which is not a configured web origin/,
    ],
    [
      'DELETE allowed',
      (s) => {
        corsRule(s).allowed_methods = ['PUT', 'DELETE'];
      },
      /allows the method DELETE/,
    ],
    [
      'any request header',
      (s) => {
        corsRule(s).allowed_headers = ['*'];
      },
      /allows any request header/,
    ],
  ],
  S3_UPLOAD_LIFECYCLE: [
    [
      'incomplete multipart uploads kept for a week',
      (s) => {
        lifecycleRule(s).abort_incomplete_multipart_upload = [{ days_after_initiation: 7 }];
      },
      /aborts incomplete multipart uploads within a day/,
    ],
    [
      'no rule for uncompleted uploads',
      (s) => {
        const config = body(s, 'aws_s3_bucket_lifecycle_configuration', 'b');
        config.rule = (config.rule as unknown[]).slice(0, 1);
      },
      /expires tagged \(uncompleted\) uploads within a day/,
    ],
    [
      'uncompleted uploads expiring after a week',
      (s) => {
        const rules = body(s, 'aws_s3_bucket_lifecycle_configuration', 'b').rule as Record<string, unknown>[];
        if (rules[1]) rules[1].expiration = [{ days: 7 }];
      },
      /expires tagged \(uncompleted\) uploads within a day/,
    ],
  ],
  DYNAMODB_ENCRYPTION: [
    [
      'encryption disabled',
      (s) => {
        body(s, 'aws_dynamodb_table', 't').server_side_encryption = { enabled: false };
      },
      /server_side_encryption is not enabled/,
    ],
    [
      'no encryption block',
      (s) => {
        delete body(s, 'aws_dynamodb_table', 't').server_side_encryption;
      },
      /server_side_encryption is not enabled/,
    ],
  ],
  DYNAMODB_PITR: [
    [
      'no point-in-time recovery',
      (s) => {
        delete body(s, 'aws_dynamodb_table', 't').point_in_time_recovery;
      },
      /point_in_time_recovery is not enabled/,
    ],
  ],
  IAM_PRESIGN_SCOPED: [
    [
      'PutObject on every object of the browser-facing bucket',
      (s) =>
        roleStatements(s, [
          { Sid: 'Any', Effect: 'Allow', Action: ['s3:PutObject'], Resource: ['${aws_s3_bucket.b.arn}/*'] },
        ]),
      /statement Any allows s3:PutObject on \$\{aws_s3_bucket\.b\.arn\}\/\*, every object of a bucket browsers reach/,
    ],
    [
      'GetObject on "*"',
      (s) => roleStatements(s, [{ Sid: 'Star', Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['*'] }]),
      /statement Star allows s3:GetObject on \*/,
    ],
  ],
  IAM_DYNAMODB_SCOPED: [
    [
      'Scan',
      (s) =>
        roleStatements(s, [
          {
            Sid: 'Scan',
            Effect: 'Allow',
            Action: ['dynamodb:Scan'],
            Resource: ['${aws_dynamodb_table.t.arn}'],
          },
        ]),
      /statement Scan allows dynamodb:Scan/,
    ],
    [
      'every table of the account',
      (s) =>
        roleStatements(s, [
          {
            Sid: 'AllTables',
            Effect: 'Allow',
            Action: ['dynamodb:GetItem'],
            Resource: ['arn:aws:dynamodb:us-east-1:123456789012:table/*'],
          },
        ]),
      /statement AllTables grants DynamoDB on arn:aws:dynamodb:us-east-1:123456789012:table\/\*, not a table of the stack/,
    ],
    [
      'table administration',
      (s) =>
        roleStatements(s, [
          {
            Sid: 'Admin',
            Effect: 'Allow',
            Action: ['dynamodb:DeleteTable'],
            Resource: ['${aws_dynamodb_table.t.arn}'],
          },
        ]),
      /statement Admin allows dynamodb:DeleteTable/,
    ],
  ],
};
