/**
 * A small synthesized-stack fixture for the local runtime's own integration tests: the same
 * Terraform JSON shapes the real stack uses, with tiny test functions whose behaviour each
 * test scripts (the real pipeline's functions are exercised by pipeline.test.ts).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';

export interface FixtureOptions {
  batchSize?: number;
  bisect?: boolean;
  maximumRetryAttempts?: number;
  startingPosition?: 'LATEST' | 'TRIM_HORIZON';
  consumerTimeoutSeconds?: number;
}

/**
 * The consumer reports, per record, by the record's text:
 * `ok…` succeeds; `fail…` is reported in batchItemFailures every time; `throw…` makes the
 * whole invocation throw; `slow…` sleeps past the timeout.
 */
const CONSUMER = `
export const handler = async (event) => {
  const failures = [];
  for (const r of event.Records) {
    const text = Buffer.from(r.kinesis.data, 'base64').toString('utf8');
    if (text.startsWith('throw')) throw new Error('poison record ' + text);
    if (text.startsWith('slow')) await new Promise((res) => setTimeout(res, 5000));
    if (text.startsWith('fail')) failures.push({ itemIdentifier: r.kinesis.sequenceNumber });
  }
  return { batchItemFailures: failures };
};`;

const API = `
export const handler = async (event, context) => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({
    claims: event.requestContext.authorizer?.jwt?.claims ?? null,
    routeKey: event.routeKey,
    env: process.env.SOME_BUCKET,
    functionName: context.functionName,
  }),
});`;

export function writeFixtureStack(options: FixtureOptions = {}): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'streamdrop-fixture-'));
  const stackDir = join(dir, 'stacks', 'fixture');
  for (const [name, source] of Object.entries({ api: API, consumer: CONSUMER })) {
    const assetDir = join(stackDir, 'assets', name);
    mkdirSync(assetDir, { recursive: true });
    writeFileSync(join(assetDir, 'archive.zip'), zipSync({ 'index.mjs': strToU8(source) }));
  }
  const tf = {
    provider: { aws: [{ region: 'eu-west-1' }] },
    resource: {
      aws_cognito_user_pool: {
        pool: { name: 'fixture-users', username_attributes: ['email'], auto_verified_attributes: ['email'] },
      },
      aws_cognito_user_pool_client: {
        client: {
          name: 'fixture-client',
          user_pool_id: '${aws_cognito_user_pool.pool.id}',
          explicit_auth_flows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
        },
      },
      aws_cognito_user_group: {
        admins: { name: 'admins', user_pool_id: '${aws_cognito_user_pool.pool.id}' },
      },
      aws_s3_bucket: {
        data: { bucket_prefix: 'fixture-data-' },
        failures: { bucket_prefix: 'fixture-failures-' },
      },
      aws_kinesis_stream: {
        events: { name: 'fixture-events', stream_mode_details: { stream_mode: 'ON_DEMAND' } },
      },
      aws_lambda_function: {
        api: {
          function_name: 'fixture-api',
          handler: 'index.handler',
          runtime: 'nodejs22.x',
          timeout: 5,
          memory_size: 128,
          filename: 'assets/api/archive.zip',
          environment: { variables: { SOME_BUCKET: '${aws_s3_bucket.data.bucket}' } },
        },
        consumer: {
          function_name: 'fixture-consumer',
          handler: 'index.handler',
          runtime: 'nodejs22.x',
          timeout: options.consumerTimeoutSeconds ?? 2,
          memory_size: 128,
          filename: 'assets/consumer/archive.zip',
        },
      },
      aws_apigatewayv2_api: { api: { name: 'fixture', protocol_type: 'HTTP' } },
      aws_apigatewayv2_authorizer: {
        jwt: {
          api_id: '${aws_apigatewayv2_api.api.id}',
          name: 'cognito',
          authorizer_type: 'JWT',
          identity_sources: ['$request.header.Authorization'],
          jwt_configuration: {
            audience: ['${aws_cognito_user_pool_client.client.id}'],
            issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/${aws_cognito_user_pool.pool.id}',
          },
        },
      },
      aws_apigatewayv2_integration: {
        api: {
          api_id: '${aws_apigatewayv2_api.api.id}',
          integration_type: 'AWS_PROXY',
          integration_uri: '${aws_lambda_function.api.invoke_arn}',
          payload_format_version: '2.0',
        },
      },
      aws_apigatewayv2_route: {
        whoami: {
          api_id: '${aws_apigatewayv2_api.api.id}',
          route_key: 'GET /whoami',
          target: 'integrations/${aws_apigatewayv2_integration.api.id}',
          authorization_type: 'JWT',
          authorizer_id: '${aws_apigatewayv2_authorizer.jwt.id}',
        },
      },
      aws_lambda_event_source_mapping: {
        consumer: {
          event_source_arn: '${aws_kinesis_stream.events.arn}',
          function_name: '${aws_lambda_function.consumer.arn}',
          starting_position: options.startingPosition ?? 'TRIM_HORIZON',
          batch_size: options.batchSize ?? 10,
          function_response_types: ['ReportBatchItemFailures'],
          bisect_batch_on_function_error: options.bisect ?? true,
          maximum_retry_attempts: options.maximumRetryAttempts ?? 2,
          maximum_record_age_in_seconds: 3600,
          destination_config: { on_failure: { destination_arn: '${aws_s3_bucket.failures.arn}' } },
        },
      },
    },
    output: {
      data_bucket: { value: '${aws_s3_bucket.data.bucket}' },
      failures_bucket: { value: '${aws_s3_bucket.failures.bucket}' },
      admin_group: { value: 'admins' },
    },
  };
  const file = join(stackDir, 'cdk.tf.json');
  writeFileSync(file, JSON.stringify(tf, null, 2));
  return { dir, file };
}
