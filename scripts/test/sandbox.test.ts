import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EmulatorInventory, findExecutable, leftovers } from '../src/lib/moto';
import type { PlanJson } from '../src/lib/plan-json';
import { readPlanJson } from '../src/lib/plan-json';
import { checkOutputs, classifyDrift } from '../src/lib/rehearsal';
import {
  EMULATED_SERVICES,
  EMULATOR_OVERRIDE_FILE,
  emulatorOverride,
  motoGapsOverride,
  tlsOnlyPolicyOverride,
} from '../src/lib/sandbox';

const fixture = (name: string) => readPlanJson(join(__dirname, 'fixtures', 'plans', `${name}.json`));

/** The TLS-only policy document of one bucket, as the stack synthesizes it (cdk.tf.json). */
function tlsOnlyDocument(bucket: string) {
  return {
    statement: [
      {
        actions: ['s3:*'],
        condition: [{ test: 'Bool', values: ['false'], variable: 'aws:SecureTransport' }],
        effect: 'Deny',
        principals: [{ identifiers: ['*'], type: '*' }],
        resources: [`\${aws_s3_bucket.${bucket}.arn}`, `\${aws_s3_bucket.${bucket}.arn}/*`],
        sid: 'DenyInsecureTransport',
      },
    ],
  };
}

const stack = {
  data: {
    aws_iam_policy_document: {
      'storage_data_tls-only_BC30AFFD': tlsOnlyDocument('storage_data_bucket_77B590E3'),
      functions_upload_assume: { statement: [{ actions: ['sts:AssumeRole'], effect: 'Allow' }] },
    },
  },
};

describe('emulatorOverride', () => {
  const override = emulatorOverride({
    endpoint: 'http://127.0.0.1:5000',
    stateFile: '/tmp/w/terraform.tfstate',
    stack,
  });

  it('is merged by terraform as an override file', () => {
    expect(EMULATOR_OVERRIDE_FILE).toMatch(/_override\.tf\.json$/);
  });

  it('points every service the stack uses at the emulator', () => {
    const provider = (override.provider as { aws: Record<string, unknown>[] }).aws[0];
    expect(provider?.endpoints).toEqual([
      {
        apigatewayv2: 'http://127.0.0.1:5000',
        cloudfront: 'http://127.0.0.1:5000',
        cloudwatch: 'http://127.0.0.1:5000',
        cloudwatchlogs: 'http://127.0.0.1:5000',
        cognitoidp: 'http://127.0.0.1:5000',
        dynamodb: 'http://127.0.0.1:5000',
        iam: 'http://127.0.0.1:5000',
        kinesis: 'http://127.0.0.1:5000',
        kms: 'http://127.0.0.1:5000',
        lambda: 'http://127.0.0.1:5000',
        s3: 'http://127.0.0.1:5000',
        sns: 'http://127.0.0.1:5000',
        sqs: 'http://127.0.0.1:5000',
        sts: 'http://127.0.0.1:5000',
      },
    ]);
    expect(EMULATED_SERVICES).toHaveLength(14);
  });

  it('uses path-style S3, skips the credential check, and asks STS for the account id', () => {
    expect((override.provider as { aws: unknown[] }).aws[0]).toMatchObject({
      s3_use_path_style: true,
      skip_credentials_validation: true,
      skip_requesting_account_id: false,
    });
  });

  it('keeps state in a throwaway local file', () => {
    expect(override.terraform).toEqual({ backend: { local: { path: '/tmp/w/terraform.tfstate' } } });
  });

  it('changes only the TLS-only statements, and only their object resources', () => {
    expect(override.data).toEqual({
      aws_iam_policy_document: {
        'storage_data_tls-only_BC30AFFD': {
          statement: [
            {
              ...tlsOnlyDocument('storage_data_bucket_77B590E3').statement[0],
              resources: ['${aws_s3_bucket.storage_data_bucket_77B590E3.arn}'],
            },
          ],
        },
      },
    });
  });
});

describe('motoGapsOverride', () => {
  it('leaves out the S3 request metrics filter and ignores logging_config, which moto does not implement', () => {
    const result = motoGapsOverride({
      resource: {
        aws_s3_bucket_metric: { monitoring_filter: { bucket: 'b', name: 'on-failure-records' } },
        aws_lambda_function: { upload: { logging_config: { log_format: 'JSON' } }, plain: {} },
      },
    });
    expect(result).toEqual({
      aws_s3_bucket_metric: { monitoring_filter: { count: 0 } },
      aws_lambda_function: { upload: { lifecycle: { ignore_changes: ['logging_config'] } } },
    });
  });

  it("leaves out CloudFront's response headers policy and its use, and ignores the origin moto rewrites", () => {
    const behavior = {
      target_origin_id: 'web-bucket',
      viewer_protocol_policy: 'redirect-to-https',
      response_headers_policy_id: '${aws_cloudfront_response_headers_policy.web_headers_1.id}',
    };
    const result = motoGapsOverride({
      resource: {
        aws_cloudfront_response_headers_policy: { web_headers_1: { name: 'x' } },
        aws_cloudfront_distribution: { web_cdn_1: { default_cache_behavior: behavior, origin: [{}] } },
      },
    });
    expect(result).toEqual({
      aws_cloudfront_response_headers_policy: { web_headers_1: { count: 0 } },
      aws_cloudfront_distribution: {
        web_cdn_1: {
          default_cache_behavior: {
            target_origin_id: 'web-bucket',
            viewer_protocol_policy: 'redirect-to-https',
          },
          lifecycle: { ignore_changes: ['origin', 'viewer_certificate', 'default_cache_behavior'] },
        },
      },
    });
  });

  it('adds nothing for a stack without them', () => {
    expect(motoGapsOverride(stack)).toBeUndefined();
    expect(emulatorOverride({ endpoint: 'http://x', stateFile: 's', stack }).resource).toBeUndefined();
  });
});

describe('tlsOnlyPolicyOverride', () => {
  it('repeats the other statements of a document (an override replaces them all)', () => {
    const other = { actions: ['s3:GetObject'], effect: 'Allow', resources: ['x/*'] };
    const document = { statement: [other, ...tlsOnlyDocument('b').statement] };
    const result = tlsOnlyPolicyOverride({ data: { aws_iam_policy_document: { d: document } } });
    expect(result).toEqual({
      aws_iam_policy_document: {
        d: {
          statement: [other, { ...tlsOnlyDocument('b').statement[0], resources: ['${aws_s3_bucket.b.arn}'] }],
        },
      },
    });
  });

  it('is nothing when the stack has no TLS-only policy', () => {
    expect(tlsOnlyPolicyOverride({ data: { aws_iam_policy_document: {} } })).toBeUndefined();
    expect(tlsOnlyPolicyOverride({})).toBeUndefined();
  });
});

describe('classifyDrift', () => {
  it("accepts moto's Kinesis tag drift, and only that", () => {
    expect(classifyDrift(fixture('moto-tag-drift'))).toEqual({
      known: ['aws_kinesis_stream.stream_AED765E9 (tags_all)'],
      unexpected: [],
    });
  });

  it("accepts moto's dropped Lambda logging_config, unless something else changes with it", () => {
    const functionUpdate = (before: object, after: object): PlanJson => ({
      format_version: '1.2',
      resource_changes: [
        {
          address: 'aws_lambda_function.functions_upload_function_B57A49AB',
          type: 'aws_lambda_function',
          mode: 'managed',
          change: { actions: ['update'], before, after },
        },
      ],
    });
    const logging = (format: string) => [{ log_format: format, log_group: '/aws/lambda/x' }];
    expect(
      classifyDrift(
        functionUpdate({ logging_config: [], timeout: 10 }, { logging_config: logging('JSON'), timeout: 10 }),
      ),
    ).toEqual({
      known: ['aws_lambda_function.functions_upload_function_B57A49AB (logging_config)'],
      unexpected: [],
    });
    expect(
      classifyDrift(
        functionUpdate({ logging_config: [], timeout: 10 }, { logging_config: logging('JSON'), timeout: 30 }),
      ).unexpected,
    ).toEqual(['aws_lambda_function.functions_upload_function_B57A49AB: update (logging_config, timeout)']);
  });

  it('treats any other change in a second plan as not converging', () => {
    const { known, unexpected } = classifyDrift(fixture('update'));
    expect(known).toEqual([]);
    expect(unexpected).toContain(
      'aws_lambda_event_source_mapping.functions_event-source_78C84E6D: update (batch_size)',
    );
    expect(unexpected).toHaveLength(5);
    expect(classifyDrift(fixture('replace')).unexpected).toContain(
      'aws_kinesis_stream.stream_AED765E9: replace (name)',
    );
  });

  it('finds nothing in a converged plan', () => {
    expect(classifyDrift(fixture('no-change'))).toEqual({ known: [], unexpected: [] });
  });
});

describe('checkOutputs', () => {
  const outputs: Record<string, string> = {
    api_url: 'https://abcd1234.execute-api.us-east-1.amazonaws.com',
    region: 'us-east-1',
    user_pool_id: 'us-east-1_abc123',
    user_pool_client_id: 'client',
    cognito_issuer: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc123',
    data_bucket: 'streamdrop-rehearsal-data-1',
    failures_bucket: 'streamdrop-rehearsal-failures-1',
    stream_name: 'streamdrop-rehearsal-uploads',
    stream_arn: 'arn:aws:kinesis:us-east-1:123456789012:stream/streamdrop-rehearsal-uploads',
    upload_function_name: 'streamdrop-rehearsal-upload',
    processor_function_name: 'streamdrop-rehearsal-processor',
    streams_function_name: 'streamdrop-rehearsal-streams',
  };
  const inventory: EmulatorInventory = {
    buckets: ['streamdrop-rehearsal-data-1', 'streamdrop-rehearsal-failures-1'],
    streams: ['streamdrop-rehearsal-uploads'],
    userPools: ['streamdrop-rehearsal-users'],
    userPoolIds: ['us-east-1_abc123'],
    functions: [
      'streamdrop-rehearsal-upload',
      'streamdrop-rehearsal-processor',
      'streamdrop-rehearsal-streams',
    ],
    httpApis: ['streamdrop-rehearsal-api'],
    httpApiIds: ['abcd1234'],
    logGroups: [],
    roles: [],
  };

  it('accepts outputs that name what exists', () => {
    expect(checkOutputs(outputs, inventory, Object.keys(outputs))).toEqual([]);
  });

  it('names each output that is missing, malformed or points at nothing', () => {
    const { failures_bucket: _gone, ...rest } = outputs;
    expect(
      checkOutputs(
        {
          ...rest,
          api_url: 'https://zzzz.execute-api.us-east-1.amazonaws.com',
          stream_name: 'other',
          user_pool_id: 'x',
        },
        inventory,
        [...Object.keys(outputs), 'hosted_ui_domain'],
      ),
    ).toEqual([
      'missing outputs: failures_bucket, hosted_ui_domain',
      'api_url names API zzzz, which does not exist',
      'user_pool_id "x" is not a us-east-1 pool id',
      'cognito_issuer "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc123" is not the issuer of x',
      'failures_bucket "" does not exist',
      'stream "other" does not exist',
      'stream_arn "arn:aws:kinesis:us-east-1:123456789012:stream/streamdrop-rehearsal-uploads" is not the ARN of other',
    ]);
  });
});

describe('leftovers', () => {
  it('keeps, by kind, only the names of the rehearsed stage', () => {
    const inventory: EmulatorInventory = {
      buckets: ['streamdrop-rehearsal-data-1', 'someone-else'],
      streams: [],
      userPools: [],
      userPoolIds: [],
      functions: [],
      httpApis: [],
      httpApiIds: [],
      logGroups: ['/aws/lambda/streamdrop-rehearsal-upload'],
      roles: ['streamdrop-dev-upload'],
    };
    expect(leftovers(inventory, 'streamdrop-rehearsal')).toEqual({
      buckets: ['streamdrop-rehearsal-data-1'],
      logGroups: ['/aws/lambda/streamdrop-rehearsal-upload'],
    });
  });
});

describe('findExecutable', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'streamdrop-path-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('finds an executable file on PATH, and not a plain file', () => {
    writeFileSync(join(dir, 'tool'), '#!/bin/sh\n');
    writeFileSync(join(dir, 'data'), '');
    chmodSync(join(dir, 'tool'), 0o755);
    expect(findExecutable('tool', { PATH: `/nonexistent:${dir}` })).toBe(join(dir, 'tool'));
    expect(findExecutable('data', { PATH: dir })).toBeUndefined();
    expect(findExecutable('tool', {})).toBeUndefined();
  });
});
