import { DIRECT_UPLOAD, processorTimeoutSeconds, UPLOADS_TABLE } from '@streamdrop/config';
import { findResource, ref, resourcesOf, synth, testConfig } from './helpers';

describe('upload sessions in the stack', () => {
  const { tf } = synth();
  const data = findResource(tf, 'aws_s3_bucket', 'bucket_prefix', 'streamdrop-dev-data-');
  const rules = () =>
    Object.values(resourcesOf(tf, 'aws_s3_bucket_lifecycle_configuration'))
      .filter((c) => c.bucket === ref('aws_s3_bucket', data.id, 'id'))
      .flatMap((c) => c.rule as Record<string, unknown>[]);

  it('keeps statuses in an on-demand table keyed by owner and upload id, with TTL, PITR, SSE and the listing index', () => {
    const table = findResource(tf, 'aws_dynamodb_table', 'name', 'streamdrop-dev-uploads').body;
    expect(table).toMatchObject({
      billing_mode: 'PAY_PER_REQUEST',
      hash_key: UPLOADS_TABLE.partitionKey,
      range_key: UPLOADS_TABLE.sortKey,
      ttl: { attribute_name: UPLOADS_TABLE.ttlAttribute, enabled: true },
      point_in_time_recovery: { enabled: true },
      server_side_encryption: { enabled: true },
      local_secondary_index: [
        { name: UPLOADS_TABLE.createdIndex, range_key: UPLOADS_TABLE.createdKey, projection_type: 'ALL' },
      ],
    });
  });

  it('aborts the incomplete multipart uploads of uploads/ after a day, and expires uncompleted sessions after a day', () => {
    expect(rules()).toEqual(
      expect.arrayContaining([
        {
          id: 'abort-incomplete-uploads',
          status: 'Enabled',
          filter: [{ prefix: 'uploads/' }],
          abort_incomplete_multipart_upload: [{ days_after_initiation: 1 }],
        },
        {
          id: 'expire-uncompleted-sessions',
          status: 'Enabled',
          filter: [{ tag: [{ key: 'streamdrop-state', value: 'uploading' }] }],
          expiration: [{ days: 1 }],
          noncurrent_version_expiration: [{ noncurrent_days: 1 }],
        },
      ]),
    );
  });

  it('lets the configured web origins and the web client’s own (nothing wider) PUT, GET and HEAD objects of the data bucket', () => {
    const cors = Object.values(resourcesOf(tf, 'aws_s3_bucket_cors_configuration'));
    const [cdn] = Object.keys(resourcesOf(tf, 'aws_cloudfront_distribution'));
    const webOrigin = `https://\${aws_cloudfront_distribution.${cdn}.domain_name}`;
    expect(cors).toEqual([
      {
        bucket: ref('aws_s3_bucket', data.id, 'id'),
        cors_rule: [
          {
            id: 'presigned-uploads',
            allowed_origins: ['http://localhost:3000', webOrigin],
            allowed_methods: ['PUT', 'GET', 'HEAD'],
            allowed_headers: ['content-type', 'if-none-match', 'x-amz-tagging', 'x-amz-checksum-sha256'],
            expose_headers: ['ETag'],
            max_age_seconds: 600,
          },
        ],
      },
    ]);
    const other = synth({ STREAMDROP_CORS_ORIGINS: 'https://app.example.com,http://localhost:5173' }).tf;
    const origins = Object.values(resourcesOf(other, 'aws_s3_bucket_cors_configuration')).flatMap((c) =>
      (c.cors_rule as { allowed_origins: string[] }[]).flatMap((r) => r.allowed_origins),
    );
    expect(origins).toEqual(['https://app.example.com', 'http://localhost:5173', webOrigin]);
    // Without the hosted web client, exactly the configured origins.
    const unhosted = synth({
      STREAMDROP_CORS_ORIGINS: 'https://app.example.com',
      STREAMDROP_WEB_HOSTING: 'false',
    }).tf;
    expect(
      Object.values(resourcesOf(unhosted, 'aws_s3_bucket_cors_configuration')).flatMap((c) =>
        (c.cors_rule as { allowed_origins: string[] }[]).flatMap((r) => r.allowed_origins),
      ),
    ).toEqual(['https://app.example.com']);
  });

  it('sizes the processor for the largest session, within Lambda’s 15 minutes', () => {
    expect(processorTimeoutSeconds(DIRECT_UPLOAD.maxBytesCeiling)).toBeLessThanOrEqual(900);
    const small = synth({ STREAMDROP_MAX_DIRECT_UPLOAD_BYTES: String(64 * 1024 * 1024) }).tf;
    const processor = findResource(
      small,
      'aws_lambda_function',
      'function_name',
      'streamdrop-dev-processor',
    ).body;
    expect(processor.timeout).toBe(processorTimeoutSeconds(64 * 1024 * 1024));
  });

  it('refuses a session limit above what the processor is sized for, and URLs valid for more than an hour', () => {
    expect(() =>
      testConfig({ STREAMDROP_MAX_DIRECT_UPLOAD_BYTES: String(DIRECT_UPLOAD.maxBytesCeiling + 1) }),
    ).toThrow('STREAMDROP_MAX_DIRECT_UPLOAD_BYTES');
    expect(() => testConfig({ STREAMDROP_UPLOAD_URL_TTL_SECONDS: '3601' })).toThrow(
      'STREAMDROP_UPLOAD_URL_TTL_SECONDS',
    );
    expect(() => testConfig({ STREAMDROP_UPLOAD_URL_TTL_SECONDS: '59' })).toThrow(
      'STREAMDROP_UPLOAD_URL_TTL_SECONDS',
    );
  });
});
