import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { findResource, ref, resourcesOf, synth } from './helpers';

describe('storage', () => {
  const { json, tf } = synth();

  it('has exactly two buckets of data: data and failures (the third holds the web client’s build)', () => {
    expect(Object.values(resourcesOf(tf, 'aws_s3_bucket')).map((b) => b.bucket_prefix)).toEqual([
      'streamdrop-dev-data-',
      'streamdrop-dev-failures-',
      'streamdrop-dev-web-',
    ]);
  });

  describe.each(['data', 'failures'])('%s bucket', (kind) => {
    const bucket = findResource(tf, 'aws_s3_bucket', 'bucket_prefix', `streamdrop-dev-${kind}-`);
    const bucketId = ref('aws_s3_bucket', bucket.id, 'id');
    const bucketArn = ref('aws_s3_bucket', bucket.id, 'arn');

    it('gets a unique name from its prefix and keeps its objects on destroy by default', () => {
      expect(json).toHaveResourceWithProperties(S3Bucket, {
        bucket_prefix: `streamdrop-${'dev'}-${kind}-`,
        force_destroy: false,
      });
    });

    it('blocks every kind of public access', () => {
      expect(json).toHaveResourceWithProperties(S3BucketPublicAccessBlock, {
        bucket: bucketId,
        block_public_acls: true,
        block_public_policy: true,
        ignore_public_acls: true,
        restrict_public_buckets: true,
      });
    });

    it('encrypts objects with SSE-S3 (AES256)', () => {
      expect(json).toHaveResourceWithProperties(S3BucketServerSideEncryptionConfigurationA, {
        bucket: bucketId,
        rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' } }],
      });
    });

    it('keeps object versions', () => {
      expect(json).toHaveResourceWithProperties(S3BucketVersioningA, {
        bucket: bucketId,
        versioning_configuration: { status: 'Enabled' },
      });
    });

    it('disables ACLs (bucket owner enforced)', () => {
      expect(json).toHaveResourceWithProperties(S3BucketOwnershipControls, {
        bucket: bucketId,
        rule: { object_ownership: 'BucketOwnerEnforced' },
      });
    });

    it('expires old versions and abandoned multipart uploads', () => {
      expect(json).toHaveResourceWithProperties(S3BucketLifecycleConfiguration, {
        bucket: bucketId,
        rule: expect.arrayContaining([
          expect.objectContaining({
            status: 'Enabled',
            filter: [{ prefix: '' }],
            noncurrent_version_expiration: [{ noncurrent_days: 30 }],
            abort_incomplete_multipart_upload: [{ days_after_initiation: 7 }],
          }),
        ]),
      });
    });

    it('denies every request that does not use TLS', () => {
      expect(json).toHaveDataSourceWithProperties(DataAwsIamPolicyDocument, {
        statement: [
          {
            sid: 'DenyInsecureTransport',
            effect: 'Deny',
            principals: [{ type: '*', identifiers: ['*'] }],
            actions: ['s3:*'],
            resources: [bucketArn, `${bucketArn}/*`],
            condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }],
          },
        ],
      });
    });

    it('attaches the TLS-only policy to the bucket after its public access block', () => {
      const doc = Object.entries(tf.data?.aws_iam_policy_document ?? {}).find(([, d]) =>
        JSON.stringify(d).includes(bucketArn),
      );
      expect(doc).toBeDefined();
      const pab = findResource(tf, 'aws_s3_bucket_public_access_block', 'bucket', bucketId);
      expect(json).toHaveResourceWithProperties(S3BucketPolicy, {
        bucket: bucketId,
        policy: `\${data.aws_iam_policy_document.${doc?.[0]}.json}`,
        depends_on: [`aws_s3_bucket_public_access_block.${pab.id}`],
      });
    });
  });

  it('expires Idempotency-Key records in the data bucket two days after they are written', () => {
    const data = findResource(tf, 'aws_s3_bucket', 'bucket_prefix', 'streamdrop-dev-data-');
    expect(json).toHaveResourceWithProperties(S3BucketLifecycleConfiguration, {
      bucket: ref('aws_s3_bucket', data.id, 'id'),
      rule: expect.arrayContaining([
        {
          id: 'expire-idempotency',
          status: 'Enabled',
          filter: [{ prefix: 'idempotency/' }],
          expiration: [{ days: 2 }],
          noncurrent_version_expiration: [{ noncurrent_days: 1 }],
        },
      ]),
    });
  });

  it('expires uploads still tagged pending (never acknowledged) two days after they were stored', () => {
    const data = findResource(tf, 'aws_s3_bucket', 'bucket_prefix', 'streamdrop-dev-data-');
    expect(json).toHaveResourceWithProperties(S3BucketLifecycleConfiguration, {
      bucket: ref('aws_s3_bucket', data.id, 'id'),
      rule: expect.arrayContaining([
        {
          id: 'expire-pending-uploads',
          status: 'Enabled',
          filter: [{ tag: [{ key: 'streamdrop-state', value: 'pending' }] }],
          expiration: [{ days: 2 }],
          noncurrent_version_expiration: [{ noncurrent_days: 1 }],
        },
      ]),
    });
  });

  it('expires nothing else under uploads/: acknowledged uploads (tagged complete) are never touched', () => {
    type Filter = { prefix?: string; tag?: { key: string; value: string }[] };
    const rules = Object.values(resourcesOf(tf, 'aws_s3_bucket_lifecycle_configuration')).flatMap(
      (config) => config.rule as { id: string; filter: Filter[]; expiration?: unknown }[],
    );
    // A rule reaches an acknowledged upload when its filter is a prefix that uploads/ keys start
    // with, or a tag such an upload may carry.
    const reachesUploads = (filter: Filter | undefined) =>
      filter?.tag !== undefined || (filter?.prefix !== undefined && 'uploads/x'.startsWith(filter.prefix));
    const touchingUploads = rules.filter((rule) => rule.expiration && reachesUploads(rule.filter[0]));
    // Pending (never acknowledged) and uploading (a session never completed); never complete.
    expect(touchingUploads.map((rule) => rule.id)).toEqual([
      'expire-pending-uploads',
      'expire-uncompleted-sessions',
    ]);
    expect(touchingUploads.map((rule) => rule.filter)).toEqual([
      [{ tag: [{ key: 'streamdrop-state', value: 'pending' }] }],
      [{ tag: [{ key: 'streamdrop-state', value: 'uploading' }] }],
    ]);
  });

  it('puts the pending-uploads rule on the data bucket only', () => {
    const failures = findResource(tf, 'aws_s3_bucket', 'bucket_prefix', 'streamdrop-dev-failures-');
    const lifecycle = findResource(
      tf,
      'aws_s3_bucket_lifecycle_configuration',
      'bucket',
      ref('aws_s3_bucket', failures.id, 'id'),
    );
    expect(JSON.stringify(lifecycle.body)).not.toContain('streamdrop-state');
  });

  it('lets destroy empty the buckets when STREAMDROP_FORCE_DESTROY=true', () => {
    const buckets = Object.values(
      resourcesOf(synth({ STREAMDROP_FORCE_DESTROY: 'true' }).tf, 'aws_s3_bucket'),
    );
    expect(buckets.map((b) => b.force_destroy)).toEqual([true, true, true]);
  });
});
