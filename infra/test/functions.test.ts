import { join } from 'node:path';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { LambdaEventSourceMapping } from '@cdktf/provider-aws/lib/lambda-event-source-mapping';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { TerraformStack, Testing } from 'cdktf';
import { MissingBundleError, NodeFunction } from '../src/lambda-function';
import { asArray, findResource, newOutdir, parsePolicy, ref, resourcesOf, synth, tempDir } from './helpers';

describe('functions', () => {
  const { json, tf } = synth();
  const dataBucket = findResource(tf, 'aws_s3_bucket', 'bucket_prefix', 'streamdrop-dev-data-').id;
  const failuresBucket = findResource(tf, 'aws_s3_bucket', 'bucket_prefix', 'streamdrop-dev-failures-').id;
  const stream = findResource(tf, 'aws_kinesis_stream', 'name', 'streamdrop-dev-uploads').id;
  const dataArn = ref('aws_s3_bucket', dataBucket, 'arn');
  const failuresArn = ref('aws_s3_bucket', failuresBucket, 'arn');
  const streamArn = ref('aws_kinesis_stream', stream, 'arn');
  const table = findResource(tf, 'aws_dynamodb_table', 'name', 'streamdrop-dev-uploads').id;
  const tableArn = ref('aws_dynamodb_table', table, 'arn');

  const fn = (name: string) => findResource(tf, 'aws_lambda_function', 'function_name', name);
  const logGroup = (name: string) =>
    findResource(tf, 'aws_cloudwatch_log_group', 'name', `/aws/lambda/${name}`);
  /** Logical id of the role the function runs as. */
  const roleIdOf = (name: string) =>
    /^\$\{aws_iam_role\.([^.]+)\.arn\}$/.exec(String(fn(name).body.role))?.[1] ?? '';
  /** The inline policy resource attached to the function's role. */
  const policyResourceOf = (name: string) =>
    findResource(tf, 'aws_iam_role_policy', 'role', ref('aws_iam_role', roleIdOf(name), 'id'));
  const policyOf = (name: string) => parsePolicy(policyResourceOf(name).body.policy);
  /** Statements as {actions, resources}, the shape the assertions compare. */
  const grantsOf = (name: string) =>
    policyOf(name).Statement.map((s) => ({
      effect: s.Effect,
      actions: asArray(s.Action),
      resources: asArray(s.Resource),
    }));

  describe.each([
    // Complete of a large upload session waits for S3 to assemble it: as long as API Gateway allows.
    ['streamdrop-dev-upload', 29, 256],
    // Sized for a 5 GiB upload session (PROCESSOR_SIZING in @streamdrop/config).
    ['streamdrop-dev-processor', 316, 1769],
    ['streamdrop-dev-streams', 10, 256],
  ])('%s', (name, timeout, memory) => {
    it('runs index.handler on Node.js 22 on arm64', () => {
      expect(json).toHaveResourceWithProperties(LambdaFunction, {
        function_name: name,
        runtime: 'nodejs22.x',
        architectures: ['arm64'],
        handler: 'index.handler',
      });
    });

    it(`has a ${timeout} s timeout and ${memory} MB of memory`, () => {
      expect(json).toHaveResourceWithProperties(LambdaFunction, {
        function_name: name,
        timeout,
        memory_size: memory,
      });
    });

    it('deploys its zipped bundle with the asset hash as source_code_hash', () => {
      const { body } = fn(name);
      expect(body.filename).toMatch(/^assets\/functions_[a-z]+_bundle_[0-9A-F]+\/[0-9A-F]+\/archive\.zip$/);
      expect(body.source_code_hash).toBe(String(body.filename).split('/')[2]);
    });

    it('enables source maps in stack traces', () => {
      expect(json).toHaveResourceWithProperties(LambdaFunction, {
        function_name: name,
        environment: { variables: expect.objectContaining({ NODE_OPTIONS: '--enable-source-maps' }) },
      });
    });

    it('has its own log group with 14 days retention, created before the function', () => {
      const group = logGroup(name);
      expect(json).toHaveResourceWithProperties(CloudwatchLogGroup, {
        name: `/aws/lambda/${name}`,
        retention_in_days: 14,
      });
      expect(fn(name).body.depends_on).toContain(`aws_cloudwatch_log_group.${group.id}`);
    });

    it('runs as a role only Lambda can assume', () => {
      const role = resourcesOf(tf, 'aws_iam_role')[roleIdOf(name)];
      expect(role?.name).toBe(`${name}-role`);
      expect(parsePolicy(role?.assume_role_policy)).toEqual({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
        ],
      });
    });

    it('may write only to its own log group', () => {
      expect(grantsOf(name)).toContainEqual({
        effect: 'Allow',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [`${ref('aws_cloudwatch_log_group', logGroup(name).id, 'arn')}:*`],
      });
    });
  });

  describe('upload function', () => {
    it('knows the data bucket, the stream, the size cap, the idempotency TTL and its service name', () => {
      expect(fn('streamdrop-dev-upload').body.environment).toEqual({
        variables: {
          DATA_BUCKET: ref('aws_s3_bucket', dataBucket, 'bucket'),
          STREAM_NAME: ref('aws_kinesis_stream', stream, 'name'),
          MAX_UPLOAD_BYTES: '4194304',
          IDEMPOTENCY_TTL_SECONDS: '86400',
          MAX_DIRECT_UPLOAD_BYTES: '5368709120',
          UPLOAD_URL_TTL_SECONDS: '900',
          UPLOADS_TABLE: ref('aws_dynamodb_table', table, 'name'),
          POWERTOOLS_SERVICE_NAME: 'streamdrop-upload',
          POWERTOOLS_METRICS_NAMESPACE: 'Streamdrop/dev',
          NODE_OPTIONS: '--enable-source-maps',
        },
      });
    });

    it('may put, tag (pending, then complete) and delete (rollback) objects under uploads/, keep idempotency records, and put records on the stream', () => {
      expect(grantsOf('streamdrop-dev-upload').slice(2)).toEqual([
        {
          effect: 'Allow',
          actions: [
            's3:PutObject',
            's3:PutObjectTagging',
            's3:PutObjectVersionTagging',
            's3:DeleteObject',
            's3:DeleteObjectVersion',
          ],
          resources: [`${dataArn}/uploads/*`],
        },
        {
          effect: 'Allow',
          actions: ['s3:ListMultipartUploadParts', 's3:AbortMultipartUpload'],
          resources: [`${dataArn}/uploads/*`],
        },
        {
          effect: 'Allow',
          actions: ['s3:GetObject', 's3:DeleteObject'],
          resources: [`${dataArn}/processed/*`],
        },
        {
          effect: 'Allow',
          actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
          resources: [`${dataArn}/idempotency/*`],
        },
        { effect: 'Allow', actions: ['s3:ListBucket'], resources: [dataArn] },
        { effect: 'Allow', actions: ['kinesis:PutRecord'], resources: [streamArn] },
        {
          effect: 'Allow',
          actions: [
            'dynamodb:GetItem',
            'dynamodb:PutItem',
            'dynamodb:UpdateItem',
            'dynamodb:DeleteItem',
            'dynamodb:Query',
          ],
          resources: [tableArn, `${tableArn}/index/byCreatedAt`],
        },
      ]);
    });

    it('may tag objects under uploads/ only', () => {
      const tagging = grantsOf('streamdrop-dev-upload').filter((g) =>
        g.actions.some((a) => a.includes('Tagging')),
      );
      expect(tagging.flatMap((g) => g.resources)).toEqual([`${dataArn}/uploads/*`]);
      for (const name of ['streamdrop-dev-processor', 'streamdrop-dev-streams']) {
        expect(
          grantsOf(name)
            .flatMap((g) => g.actions)
            .filter((a) => a.includes('Tagging')),
        ).toEqual([]);
      }
    });

    it('cannot read uploads (only processed objects, to sign their downloads, and its own idempotency records)', () => {
      const reads = grantsOf('streamdrop-dev-upload').filter((g) => g.actions.includes('s3:GetObject'));
      expect(reads.flatMap((g) => g.resources)).toEqual([
        `${dataArn}/processed/*`,
        `${dataArn}/idempotency/*`,
      ]);
    });
  });

  describe('processor function', () => {
    it('knows both buckets, its concurrency, its transform and its service name', () => {
      expect(fn('streamdrop-dev-processor').body.environment).toEqual({
        variables: {
          DATA_BUCKET: ref('aws_s3_bucket', dataBucket, 'bucket'),
          FAILURES_BUCKET: ref('aws_s3_bucket', failuresBucket, 'bucket'),
          PROCESSOR_CONCURRENCY: '100',
          TRANSFORM: 'uppercase-text-v1',
          UPLOADS_TABLE: ref('aws_dynamodb_table', table, 'name'),
          POWERTOOLS_SERVICE_NAME: 'streamdrop-processor',
          POWERTOOLS_METRICS_NAMESPACE: 'Streamdrop/dev',
          NODE_OPTIONS: '--enable-source-maps',
        },
      });
    });

    it('may read the stream, read uploads/, read, write and delete processed/, write failure records, and list the data bucket so missing objects are 404s', () => {
      expect(grantsOf('streamdrop-dev-processor').slice(2)).toEqual([
        {
          effect: 'Allow',
          actions: [
            'kinesis:DescribeStream',
            'kinesis:DescribeStreamSummary',
            'kinesis:GetRecords',
            'kinesis:GetShardIterator',
            'kinesis:ListShards',
            'kinesis:SubscribeToShard',
          ],
          resources: [streamArn],
        },
        { effect: 'Allow', actions: ['s3:GetObject'], resources: [`${dataArn}/uploads/*`] },
        {
          effect: 'Allow',
          actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
          resources: [`${dataArn}/processed/*`],
        },
        { effect: 'Allow', actions: ['s3:PutObject'], resources: [`${failuresArn}/*`] },
        { effect: 'Allow', actions: ['s3:ListBucket'], resources: [failuresArn] },
        { effect: 'Allow', actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], resources: [tableArn] },
        { effect: 'Allow', actions: ['s3:ListBucket'], resources: [dataArn] },
      ]);
    });

    it('exists only after its policy is attached (the event source mapping checks the role)', () => {
      const policy = policyResourceOf('streamdrop-dev-processor');
      expect(fn('streamdrop-dev-processor').body.depends_on).toContain(`aws_iam_role_policy.${policy.id}`);
    });
  });

  describe("streams function (the administrators' Kinesis proxy)", () => {
    it('knows the admin group and the streams it may touch', () => {
      expect(fn('streamdrop-dev-streams').body.environment).toEqual({
        variables: {
          ADMIN_GROUP: expect.stringMatching(/^\$\{aws_cognito_user_group\.[^.]+\.name\}$/),
          ALLOWED_STREAMS: ref('aws_kinesis_stream', stream, 'name'),
          POWERTOOLS_SERVICE_NAME: 'streamdrop-streams',
          POWERTOOLS_METRICS_NAMESPACE: 'Streamdrop/dev',
          NODE_OPTIONS: '--enable-source-maps',
        },
      });
    });

    it('may list streams, and describe and put records only on the allowed streams', () => {
      expect(grantsOf('streamdrop-dev-streams').slice(2)).toEqual([
        { effect: 'Allow', actions: ['kinesis:ListStreams'], resources: ['*'] },
        {
          effect: 'Allow',
          actions: [
            'kinesis:DescribeStream',
            'kinesis:DescribeStreamSummary',
            'kinesis:PutRecord',
            'kinesis:PutRecords',
          ],
          resources: [streamArn],
        },
      ]);
    });

    it('allows further streams by ARN when configured', () => {
      const other = 'arn:aws:kinesis:us-east-1:123456789012:stream/audit-events';
      const { tf: extra } = synth({ STREAMDROP_PROXY_STREAM_ARNS: other });
      const streamsFn = findResource(extra, 'aws_lambda_function', 'function_name', 'streamdrop-dev-streams');
      expect(
        (streamsFn.body.environment as { variables: Record<string, string> }).variables.ALLOWED_STREAMS,
      ).toMatch(/,audit-events$/);
      const statements = Object.values(resourcesOf(extra, 'aws_iam_role_policy'))
        .map((p) => parsePolicy(p.policy))
        .flatMap((p) => p.Statement);
      expect(
        statements.some(
          (s) => asArray(s.Action).includes('kinesis:PutRecords') && asArray(s.Resource).includes(other),
        ),
      ).toBe(true);
    });
  });

  describe('IAM least privilege across the whole stack', () => {
    const policies = Object.values(resourcesOf(tf, 'aws_iam_role_policy')).map((p) => parsePolicy(p.policy));
    const statements = policies.flatMap((p) => p.Statement);

    it('has inline policies for the three functions and nothing else', () => {
      expect(policies).toHaveLength(3);
      expect(Object.keys(resourcesOf(tf, 'aws_iam_role_policy_attachment'))).toHaveLength(0);
    });

    it('never allows a wildcard action', () => {
      const actions = statements.flatMap((s) => asArray(s.Action));
      expect(actions.length).toBeGreaterThan(0);
      expect(actions.filter((a) => a.includes('*'))).toEqual([]);
    });

    it('names "*" as a resource only for kinesis:ListStreams, which has no resource ARN', () => {
      const resources = statements.flatMap((s) => asArray(s.Resource));
      expect(resources.length).toBeGreaterThan(0);
      const wildcard = statements.filter((s) => asArray(s.Resource).includes('*'));
      // The exceptions AWS forces: ListStreams cannot be scoped (the streams function filters its
      // answer), nor can X-Ray's trace writes (every function's active tracing).
      const traces = { actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], resources: ['*'] };
      expect(wildcard.map((s) => ({ actions: asArray(s.Action), resources: asArray(s.Resource) }))).toEqual([
        traces,
        traces,
        { actions: ['kinesis:ListStreams'], resources: ['*'] },
        traces,
      ]);
    });

    it('has no Action or Resource "*" in any policy document data source either', () => {
      const docs = Object.values(tf.data?.aws_iam_policy_document ?? {});
      const statementsOfDocs = docs.flatMap(
        (d) => d.statement as { actions: string[]; resources: string[] }[],
      );
      expect(statementsOfDocs.flatMap((s) => s.actions)).not.toContain('*');
      expect(statementsOfDocs.flatMap((s) => s.resources)).not.toContain('*');
    });

    it('does not look up the caller identity (it fails offline and is not needed)', () => {
      expect(tf.data?.aws_caller_identity).toBeUndefined();
    });
  });

  describe('event source mapping', () => {
    const processorArn = ref('aws_lambda_function', fn('streamdrop-dev-processor').id, 'arn');

    it('feeds the stream to the processor', () => {
      expect(json).toHaveResourceWithProperties(LambdaEventSourceMapping, {
        event_source_arn: streamArn,
        function_name: processorArn,
      });
    });

    it('reads batches of 10 from LATEST without a batching window, one batch per shard', () => {
      expect(json).toHaveResourceWithProperties(LambdaEventSourceMapping, {
        batch_size: 10,
        starting_position: 'LATEST',
        maximum_batching_window_in_seconds: 0,
        parallelization_factor: 1,
      });
    });

    it('reports partial batch failures and bisects failing batches', () => {
      expect(json).toHaveResourceWithProperties(LambdaEventSourceMapping, {
        function_response_types: ['ReportBatchItemFailures'],
        bisect_batch_on_function_error: true,
      });
    });

    it('gives up after 5 retries or one hour, so one bad record cannot block its shard', () => {
      expect(json).toHaveResourceWithProperties(LambdaEventSourceMapping, {
        maximum_retry_attempts: 5,
        maximum_record_age_in_seconds: 3600,
      });
    });

    it('sends what it gives up on to the failures bucket', () => {
      expect(json).toHaveResourceWithProperties(LambdaEventSourceMapping, {
        destination_config: { on_failure: { destination_arn: failuresArn } },
      });
    });

    it('follows the configuration', () => {
      const custom = synth({
        STREAMDROP_BATCH_SIZE: '100',
        STREAMDROP_STARTING_POSITION: 'TRIM_HORIZON',
        STREAMDROP_BATCH_WINDOW_SECONDS: '5',
        STREAMDROP_PARALLELIZATION_FACTOR: '2',
        STREAMDROP_MAX_RETRY_ATTEMPTS: '-1',
        STREAMDROP_MAX_RECORD_AGE_SECONDS: '-1',
      });
      expect(custom.json).toHaveResourceWithProperties(LambdaEventSourceMapping, {
        batch_size: 100,
        starting_position: 'TRIM_HORIZON',
        maximum_batching_window_in_seconds: 5,
        parallelization_factor: 2,
        maximum_retry_attempts: -1,
        maximum_record_age_in_seconds: -1,
      });
    });
  });
});

describe('NodeFunction', () => {
  const stackWith = () => new TerraformStack(Testing.app({ outdir: newOutdir() }), 'test');

  it('fails with a hint to run pnpm build when the bundle is missing', () => {
    const missing = join(tempDir(), 'no-such-bundle');
    const create = () =>
      new NodeFunction(stackWith(), 'fn', {
        name: 'x',
        bundleDir: missing,
        timeoutSeconds: 1,
        memoryMb: 128,
        logRetentionDays: 1,
      });
    expect(create).toThrow(MissingBundleError);
    expect(create).toThrow(
      `Lambda bundle for x not found: expected ${join(missing, 'index.mjs')}. Run \`pnpm build\` first`,
    );
  });

  it('refuses an environment variable set by two bindings', () => {
    const { config } = synth();
    expect(
      () =>
        new NodeFunction(stackWith(), 'fn', {
          name: 'x',
          bundleDir: join(config.bundlesDir, 'upload'),
          timeoutSeconds: 1,
          memoryMb: 128,
          logRetentionDays: 1,
          bindings: [{ env: { DATA_BUCKET: 'a' } }, { env: { DATA_BUCKET: 'b' } }],
        }),
    ).toThrow('Lambda function x: environment variable DATA_BUCKET is set twice');
  });
});
