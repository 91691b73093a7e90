/**
 * A small stack that satisfies every policy rule, written by hand in the shapes cdktf synthesizes.
 * Each negative test clones it and breaks one thing, so a rule that reports the clone is shown to
 * react to that one thing (and policy.test.ts checks that the untouched fragment passes every rule).
 */
import type { TfBody, TfStack } from './terraform';

const BUCKET = '${aws_s3_bucket.b.id}';
const BUCKET_ARN = '${aws_s3_bucket.b.arn}';

export const tlsOnlyPolicy = (arn = BUCKET_ARN) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [arn, `${arn}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ],
  });

export const identityPolicy = (statements: object[]) =>
  JSON.stringify({ Version: '2012-10-17', Statement: statements });

export const lambdaTrustPolicy = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

export function compliantStack(): TfStack {
  const stack: TfStack = {
    resource: {
      aws_s3_bucket: { b: { bucket_prefix: 'fixture-data-', force_destroy: false } },
      aws_s3_bucket_public_access_block: {
        b: {
          bucket: BUCKET,
          block_public_acls: true,
          block_public_policy: true,
          ignore_public_acls: true,
          restrict_public_buckets: true,
        },
      },
      aws_s3_bucket_server_side_encryption_configuration: {
        b: {
          bucket: BUCKET,
          rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' } }],
        },
      },
      aws_s3_bucket_versioning: { b: { bucket: BUCKET, versioning_configuration: { status: 'Enabled' } } },
      aws_s3_bucket_ownership_controls: {
        b: { bucket: BUCKET, rule: { object_ownership: 'BucketOwnerEnforced' } },
      },
      aws_s3_bucket_lifecycle_configuration: {
        b: {
          bucket: BUCKET,
          rule: [
            {
              id: 'expire',
              status: 'Enabled',
              filter: [{ prefix: '' }],
              abort_incomplete_multipart_upload: [{ days_after_initiation: 1 }],
              noncurrent_version_expiration: [{ noncurrent_days: 30 }],
            },
            {
              id: 'expire-uncompleted',
              status: 'Enabled',
              filter: [{ tag: [{ key: 'state', value: 'uploading' }] }],
              expiration: [{ days: 1 }],
            },
          ],
        },
      },
      aws_s3_bucket_policy: { b: { bucket: BUCKET, policy: tlsOnlyPolicy() } },
      aws_s3_bucket_cors_configuration: {
        b: {
          bucket: BUCKET,
          cors_rule: [
            {
              allowed_origins: ['https://app.example.com'],
              allowed_methods: ['PUT', 'GET', 'HEAD'],
              allowed_headers: ['content-type', 'x-amz-tagging'],
              expose_headers: ['ETag'],
              max_age_seconds: 600,
            },
          ],
        },
      },
      aws_dynamodb_table: {
        t: {
          name: 'fixture-uploads',
          billing_mode: 'PAY_PER_REQUEST',
          hash_key: 'userSub',
          range_key: 'uploadId',
          server_side_encryption: { enabled: true },
          point_in_time_recovery: { enabled: true },
        },
      },
      aws_kinesis_stream: {
        s: { name: 'fixture-uploads', encryption_type: 'KMS', kms_key_id: 'alias/aws/kinesis' },
      },
      aws_cloudwatch_log_group: {
        g: { name: '/aws/lambda/fixture-fn', retention_in_days: 14 },
        access: { name: '/aws/apigateway/fixture', retention_in_days: 14 },
      },
      aws_iam_role: { r: { name: 'fixture-fn-role', assume_role_policy: lambdaTrustPolicy } },
      aws_iam_role_policy: {
        p: {
          role: '${aws_iam_role.r.id}',
          policy: identityPolicy([
            {
              Sid: 'ReadUploads',
              Effect: 'Allow',
              Action: ['s3:GetObject'],
              Resource: [`${BUCKET_ARN}/uploads/*`],
            },
            { Sid: 'ListStreams', Effect: 'Allow', Action: ['kinesis:ListStreams'], Resource: ['*'] },
            {
              Sid: 'Statuses',
              Effect: 'Allow',
              Action: ['dynamodb:GetItem', 'dynamodb:Query'],
              Resource: ['${aws_dynamodb_table.t.arn}', '${aws_dynamodb_table.t.arn}/index/byCreatedAt'],
            },
            { Sid: 'DenyDelete', Effect: 'Deny', Action: ['s3:*'], Resource: ['*'] },
          ]),
        },
      },
      aws_lambda_function: {
        f: {
          function_name: 'fixture-fn',
          role: '${aws_iam_role.r.arn}',
          runtime: 'nodejs22.x',
          handler: 'index.handler',
          depends_on: ['aws_cloudwatch_log_group.g', 'aws_iam_role_policy.p'],
          tracing_config: { mode: 'Active' },
          logging_config: { log_format: 'JSON' },
          environment: {
            variables: {
              DATA_BUCKET: '${aws_s3_bucket.b.bucket}',
              MAX_UPLOAD_BYTES: '4194304',
              POWERTOOLS_SERVICE_NAME: 'fixture',
            },
          },
        },
      },
      aws_lambda_permission: {
        api: {
          statement_id: 'AllowApiGateway',
          action: 'lambda:InvokeFunction',
          function_name: '${aws_lambda_function.f.function_name}',
          principal: 'apigateway.amazonaws.com',
          source_arn: '${aws_apigatewayv2_api.a.execution_arn}/*/*/uploads',
        },
      },
      aws_lambda_event_source_mapping: {
        m: {
          event_source_arn: '${aws_kinesis_stream.s.arn}',
          function_name: '${aws_lambda_function.f.arn}',
          starting_position: 'LATEST',
          batch_size: 10,
          parallelization_factor: 1,
          function_response_types: ['ReportBatchItemFailures'],
          bisect_batch_on_function_error: true,
          maximum_retry_attempts: 5,
          maximum_record_age_in_seconds: 3600,
          destination_config: { on_failure: { destination_arn: BUCKET_ARN } },
        },
      },
      aws_sns_topic: { t: { name: 'fixture-alarms' } },
      aws_s3_bucket_metric: {
        b: { bucket: BUCKET, name: 'on-failure-records', filter: { prefix: 'aws/lambda/' } },
      },
      aws_cloudwatch_metric_alarm: {
        errors: {
          alarm_name: 'fixture-fn-errors',
          namespace: 'AWS/Lambda',
          metric_name: 'Errors',
          dimensions: { FunctionName: '${aws_lambda_function.f.function_name}' },
          statistic: 'Sum',
          period: 60,
          evaluation_periods: 1,
          threshold: 1,
          comparison_operator: 'GreaterThanOrEqualToThreshold',
          alarm_actions: ['${aws_sns_topic.t.arn}'],
        },
        age: {
          alarm_name: 'fixture-fn-iterator-age',
          namespace: 'AWS/Lambda',
          metric_name: 'IteratorAge',
          dimensions: { FunctionName: 'fixture-fn' },
          statistic: 'Maximum',
          period: 60,
          evaluation_periods: 1,
          threshold: 300000,
          comparison_operator: 'GreaterThanThreshold',
          alarm_actions: ['${aws_sns_topic.t.arn}'],
        },
        failures: {
          alarm_name: 'fixture-failures',
          evaluation_periods: 1,
          threshold: 1,
          comparison_operator: 'GreaterThanOrEqualToThreshold',
          alarm_actions: ['${aws_sns_topic.t.arn}'],
          metric_query: [
            { id: 'total', expression: 'FILL(puts, 0)', return_data: true },
            {
              id: 'puts',
              return_data: false,
              metric: {
                namespace: 'AWS/S3',
                metric_name: 'PutRequests',
                dimensions: { BucketName: '${aws_s3_bucket.b.bucket}', FilterId: 'on-failure-records' },
                stat: 'Sum',
                period: 60,
              },
            },
          ],
        },
      },
      aws_apigatewayv2_api: {
        a: {
          name: 'fixture',
          protocol_type: 'HTTP',
          cors_configuration: {
            allow_origins: ['https://app.example.com', 'http://localhost:3000'],
            allow_headers: ['authorization', 'content-type'],
            allow_credentials: false,
          },
        },
      },
      aws_apigatewayv2_authorizer: {
        j: {
          api_id: '${aws_apigatewayv2_api.a.id}',
          name: 'cognito',
          authorizer_type: 'JWT',
          identity_sources: ['$request.header.Authorization'],
          jwt_configuration: {
            issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/${aws_cognito_user_pool.u.id}',
            audience: ['${aws_cognito_user_pool_client.c.id}'],
          },
        },
      },
      aws_apigatewayv2_integration: {
        i: {
          api_id: '${aws_apigatewayv2_api.a.id}',
          integration_type: 'AWS_PROXY',
          integration_uri: '${aws_lambda_function.f.invoke_arn}',
          payload_format_version: '2.0',
        },
      },
      aws_apigatewayv2_route: {
        r: {
          api_id: '${aws_apigatewayv2_api.a.id}',
          route_key: 'POST /uploads',
          target: 'integrations/${aws_apigatewayv2_integration.i.id}',
          authorization_type: 'JWT',
          authorizer_id: '${aws_apigatewayv2_authorizer.j.id}',
        },
      },
      aws_apigatewayv2_stage: {
        s: {
          api_id: '${aws_apigatewayv2_api.a.id}',
          name: '$default',
          default_route_settings: { throttling_burst_limit: 100, throttling_rate_limit: 50 },
          access_log_settings: {
            destination_arn: '${aws_cloudwatch_log_group.access.arn}',
            format: JSON.stringify({
              requestId: '$context.requestId',
              status: '$context.status',
              authorizerError: '$context.authorizer.error',
            }),
          },
        },
      },
      aws_cognito_user_pool: {
        u: {
          name: 'fixture-users',
          password_policy: {
            minimum_length: 12,
            require_lowercase: true,
            require_uppercase: true,
            require_numbers: true,
            require_symbols: true,
            temporary_password_validity_days: 7,
          },
          mfa_configuration: 'OPTIONAL',
          software_token_mfa_configuration: { enabled: true },
        },
      },
      aws_cognito_user_pool_client: {
        c: {
          name: 'fixture-client',
          user_pool_id: '${aws_cognito_user_pool.u.id}',
          prevent_user_existence_errors: 'ENABLED',
          allowed_oauth_flows: ['code'],
          callback_urls: ['https://app.example.com/callback', 'http://localhost:3000/'],
          logout_urls: ['https://app.example.com/'],
          id_token_validity: 60,
          access_token_validity: 60,
          refresh_token_validity: 30,
          token_validity_units: [{ id_token: 'minutes', access_token: 'minutes', refresh_token: 'days' }],
          enable_token_revocation: true,
        },
      },
    },
  };
  addWebClient(stack);
  return stack;
}

const WEB_BUCKET = '${aws_s3_bucket.w.id}';
const WEB_BUCKET_ARN = '${aws_s3_bucket.w.arn}';
const API = '${aws_apigatewayv2_api.a.api_endpoint}';
const AUTH = 'https://fixture-auth.auth.eu-west-1.amazoncognito.com';
const DATA = 'https://${aws_s3_bucket.b.bucket}.s3.eu-west-1.amazonaws.com';

/** The CSP the web client's headers send: exact but for the region's execute-api hosts. */
export const webHeaderCsp = (api = 'https://*.execute-api.eu-west-1.amazonaws.com') =>
  `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self' ${api} ${AUTH} ${DATA}; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'; upgrade-insecure-requests`;

/** The page the stack uploads, with its own CSP naming the API exactly. */
export const webPage = (csp = webHeaderCsp(API).replace(" frame-ancestors 'none';", '')) =>
  `<!doctype html><html><head><meta http-equiv="Content-Security-Policy" content="${csp}"><script type="module" src="assets/app-1.js"></script></head></html>`;

/** The web client on CloudFront, as infra/src/web.ts makes it: a second private bucket and its distribution. */
function addWebClient(stack: TfStack): void {
  const r = stack.resource ?? {};
  r.aws_s3_bucket = { ...r.aws_s3_bucket, w: { bucket_prefix: 'fixture-web-', force_destroy: true } };
  const companion = (type: string, value: Record<string, unknown>) => {
    r[type] = { ...r[type], w: { bucket: WEB_BUCKET, ...value } };
  };
  companion('aws_s3_bucket_public_access_block', {
    block_public_acls: true,
    block_public_policy: true,
    ignore_public_acls: true,
    restrict_public_buckets: true,
  });
  companion('aws_s3_bucket_server_side_encryption_configuration', {
    rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' } }],
  });
  companion('aws_s3_bucket_versioning', { versioning_configuration: { status: 'Enabled' } });
  companion('aws_s3_bucket_ownership_controls', { rule: { object_ownership: 'BucketOwnerEnforced' } });
  companion('aws_s3_bucket_lifecycle_configuration', {
    rule: [
      {
        id: 'expire',
        status: 'Enabled',
        filter: [{ prefix: '' }],
        abort_incomplete_multipart_upload: [{ days_after_initiation: 7 }],
        noncurrent_version_expiration: [{ noncurrent_days: 7 }],
      },
    ],
  });
  companion('aws_s3_bucket_policy', { policy: webBucketPolicy() });
  r.aws_cloudfront_origin_access_control = {
    o: {
      name: 'fixture-web',
      origin_access_control_origin_type: 's3',
      signing_behavior: 'always',
      signing_protocol: 'sigv4',
    },
  };
  r.aws_cloudfront_response_headers_policy = {
    h: {
      name: 'fixture-web',
      security_headers_config: {
        content_security_policy: { content_security_policy: webHeaderCsp(), override: true },
        strict_transport_security: {
          access_control_max_age_sec: 63072000,
          include_subdomains: true,
          preload: false,
          override: true,
        },
        content_type_options: { override: true },
        frame_options: { frame_option: 'DENY', override: true },
        referrer_policy: { referrer_policy: 'no-referrer', override: true },
      },
    },
  };
  r.aws_cloudfront_distribution = {
    d: {
      enabled: true,
      default_root_object: 'index.html',
      origin: [
        {
          origin_id: 'web-bucket',
          domain_name: '${aws_s3_bucket.w.bucket_regional_domain_name}',
          origin_access_control_id: '${aws_cloudfront_origin_access_control.o.id}',
        },
      ],
      default_cache_behavior: {
        target_origin_id: 'web-bucket',
        viewer_protocol_policy: 'redirect-to-https',
        allowed_methods: ['GET', 'HEAD'],
        cached_methods: ['GET', 'HEAD'],
        response_headers_policy_id: '${aws_cloudfront_response_headers_policy.h.id}',
      },
      restrictions: { geo_restriction: { restriction_type: 'none' } },
      viewer_certificate: { cloudfront_default_certificate: true },
    },
  };
  r.aws_s3_object = {
    index: { bucket: WEB_BUCKET, key: 'index.html', content: webPage() },
    script: { bucket: WEB_BUCKET, key: 'assets/app-1.js', source: 'assets/web/app-1.js' },
  };
  stack.resource = r;
}

/** The web bucket's policy: TLS only, and objects readable by the one distribution. */
export const webBucketPolicy = (statement: Record<string, unknown> = {}) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      ...JSON.parse(tlsOnlyPolicy(WEB_BUCKET_ARN)).Statement,
      {
        Sid: 'CloudFrontReadsTheSite',
        Effect: 'Allow',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Action: 's3:GetObject',
        Resource: `${WEB_BUCKET_ARN}/*`,
        Condition: { StringEquals: { 'AWS:SourceArn': '${aws_cloudfront_distribution.d.arn}' } },
        ...statement,
      },
    ],
  });

/** The body of resource `type.name` in `stack`, for a negative test to break. */
export function body(stack: TfStack, type: string, name: string): TfBody {
  const found = stack.resource?.[type]?.[name];
  if (!found) throw new Error(`fixture has no ${type}.${name}`);
  return found;
}

/** Adds (or replaces) resource `type.name`. */
export function put(stack: TfStack, type: string, name: string, value: TfBody): void {
  stack.resource ??= {};
  stack.resource[type] = { ...stack.resource[type], [name]: value };
}

/** Removes every resource of `type`. */
export function drop(stack: TfStack, type: string): void {
  delete stack.resource?.[type];
}
