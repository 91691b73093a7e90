import {
  DataAwsIamPolicyDocument,
  type DataAwsIamPolicyDocumentStatement,
} from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketCorsConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-cors-configuration';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA as S3BucketServerSideEncryptionConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA as S3BucketVersioning } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import {
  DIRECT_UPLOAD,
  IDEMPOTENCY,
  idempotencyRecordExpiryDays,
  KEY_PREFIXES,
  pendingUploadExpiryDays,
  SESSION_UPLOAD_TAG,
  STREAM,
  stackName,
  UPLOAD_STATE_TAG,
} from '@streamdrop/config';
import { Construct } from 'constructs';
import type { Binding } from './lambda-function';

export interface SecureBucketOptions {
  /** `bucket_prefix`: S3 appends a unique suffix, so names never collide across accounts. */
  readonly namePrefix: string;
  readonly forceDestroy: boolean;
  /** Old object versions are kept this long after being overwritten or deleted. */
  readonly noncurrentVersionDays: number;
  /** Short-lived records under these prefixes expire (current and old versions) after `days`. */
  readonly expiringPrefixes?: readonly { readonly prefix: string; readonly days: number }[];
  /**
   * Objects that carry the tag `key=value` expire (current and old versions) after `days`: what
   * was stored but never acknowledged. The filter is the tag alone: only the code that writes
   * under one prefix sets such a tag, and an And-filter of prefix and tag never converges on moto,
   * where the apply rehearsal runs (the provider waits 3 min for a read-back that never matches).
   */
  readonly expiringTagged?: readonly {
    readonly id: string;
    readonly tag: { readonly key: string; readonly value: string };
    readonly days: number;
  }[];
  /** Incomplete multipart uploads under these prefixes are aborted after `days` (sooner than the bucket-wide 7). */
  readonly abortingPrefixes?: readonly {
    readonly id: string;
    readonly prefix: string;
    readonly days: number;
  }[];
  /**
   * Browsers of these origins may PUT, GET and HEAD objects (with presigned URLs: CORS grants no
   * access by itself), sending only the headers a presigned upload needs. None: no CORS at all.
   */
  readonly corsOrigins?: readonly string[];
  /** More statements for the bucket policy (a bucket has one policy: the TLS-only statement comes first). */
  readonly policyStatements?: BucketPolicyStatements;
}

/** Statements of a bucket's policy besides the TLS-only one (`bucketArn` is the bucket's ARN). */
export type BucketPolicyStatements = (bucketArn: string) => DataAwsIamPolicyDocumentStatement[];

/** What a browser sends with a presigned PUT of an upload session: the part's `headers`. */
export const CORS_ALLOWED_HEADERS = [
  'content-type',
  'if-none-match',
  'x-amz-tagging',
  'x-amz-checksum-sha256',
];

/**
 * A private bucket: all public access blocked, ACLs disabled, SSE-S3, versioning, TLS-only
 * bucket policy, and a lifecycle rule so that old versions and abandoned multipart uploads
 * do not accumulate forever.
 */
export class SecureBucket extends Construct {
  readonly bucket: S3Bucket;
  readonly publicAccessBlock: S3BucketPublicAccessBlock;
  readonly policy: S3BucketPolicy;
  /** Objects the stack itself writes depend on it, so that each has a version of its own. */
  readonly versioning: S3BucketVersioning;

  constructor(scope: Construct, id: string, options: SecureBucketOptions) {
    super(scope, id);

    this.bucket = new S3Bucket(this, 'bucket', {
      bucketPrefix: options.namePrefix,
      forceDestroy: options.forceDestroy,
    });
    const bucket = this.bucket.id;

    this.publicAccessBlock = new S3BucketPublicAccessBlock(this, 'public-access-block', {
      bucket,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });

    new S3BucketOwnershipControls(this, 'ownership', {
      bucket,
      rule: { objectOwnership: 'BucketOwnerEnforced' },
    });

    new S3BucketServerSideEncryptionConfiguration(this, 'encryption', {
      bucket,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }],
    });

    const versioning = new S3BucketVersioning(this, 'versioning', {
      bucket,
      versioningConfiguration: { status: 'Enabled' },
    });
    this.versioning = versioning;

    new S3BucketLifecycleConfiguration(this, 'lifecycle', {
      bucket,
      rule: [
        {
          id: 'expire-noncurrent-versions',
          status: 'Enabled',
          filter: [{ prefix: '' }],
          noncurrentVersionExpiration: [{ noncurrentDays: options.noncurrentVersionDays }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
        },
        ...(options.expiringPrefixes ?? []).map(({ prefix, days }) => ({
          id: `expire-${prefix.replace(/[^A-Za-z0-9]+/g, '-').replace(/-$/, '')}`,
          status: 'Enabled',
          filter: [{ prefix }],
          expiration: [{ days }],
          noncurrentVersionExpiration: [{ noncurrentDays: 1 }],
        })),
        ...(options.expiringTagged ?? []).map(({ id, tag, days }) => ({
          id,
          status: 'Enabled',
          filter: [{ tag: [{ key: tag.key, value: tag.value }] }],
          expiration: [{ days }],
          noncurrentVersionExpiration: [{ noncurrentDays: 1 }],
        })),
        ...(options.abortingPrefixes ?? []).map(({ id, prefix, days }) => ({
          id,
          status: 'Enabled',
          filter: [{ prefix }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: days }],
        })),
      ],
      // Noncurrent-version rules act on versions: apply them once versioning is on (as the provider docs do).
      dependsOn: [versioning],
    });

    if (options.corsOrigins && options.corsOrigins.length > 0) {
      new S3BucketCorsConfiguration(this, 'cors', {
        bucket,
        corsRule: [
          {
            id: 'presigned-uploads',
            allowedOrigins: [...options.corsOrigins],
            allowedMethods: ['PUT', 'GET', 'HEAD'],
            allowedHeaders: CORS_ALLOWED_HEADERS,
            // Complete lists the parts itself; the ETag is there for clients that check what they sent.
            exposeHeaders: ['ETag'],
            maxAgeSeconds: 600,
          },
        ],
      });
    }

    const tlsOnly = new DataAwsIamPolicyDocument(this, 'tls-only', {
      statement: [
        {
          sid: 'DenyInsecureTransport',
          effect: 'Deny',
          principals: [{ type: '*', identifiers: ['*'] }],
          actions: ['s3:*'],
          resources: [this.bucket.arn, `${this.bucket.arn}/*`],
          condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }],
        },
        ...(options.policyStatements?.(this.bucket.arn) ?? []),
      ],
    });

    this.policy = new S3BucketPolicy(this, 'policy', {
      bucket,
      policy: tlsOnly.json,
      // Putting a policy while the public access block is still being written fails with a conflict.
      dependsOn: [this.publicAccessBlock],
    });
  }

  get name(): string {
    return this.bucket.bucket;
  }

  get arn(): string {
    return this.bucket.arn;
  }

  /** `<arn>/<prefix>*`, or every object with no prefix. */
  objectsArn(prefix = ''): string {
    return `${this.bucket.arn}/${prefix}*`;
  }
}

export interface StorageOptions {
  readonly stage: string;
  readonly forceDestroy: boolean;
  readonly noncurrentVersionDays?: number;
  /** How long the upload function answers an Idempotency-Key from its record (default a day). */
  readonly idempotencyTtlSeconds?: number;
  /**
   * The longest an upload event can wait to be delivered: the stream's retention and the event
   * source mapping's maximum record age (-1: none). Objects never acknowledged outlive both.
   */
  readonly eventLifetime?: { readonly streamRetentionHours: number; readonly maxRecordAgeSeconds: number };
  /** Browser origins that may send upload sessions' bytes straight to the data bucket. */
  readonly corsOrigins?: readonly string[];
}

/**
 * Storage of the pipeline.
 *
 * One data bucket holds both `uploads/` and `processed/`: IAM scopes object permissions by key
 * prefix exactly (the upload function can write only `uploads/*`, the processor can write only
 * `processed/*`), and versioning, lifecycle, encryption and the TLS policy are kept in one place.
 * Failure records go to a separate bucket so that they can have their own readers and retention
 * and can never be mistaken for user data.
 */
export class Storage extends Construct {
  readonly data: SecureBucket;
  readonly failures: SecureBucket;

  constructor(scope: Construct, id: string, options: StorageOptions) {
    super(scope, id);
    const common = {
      forceDestroy: options.forceDestroy,
      noncurrentVersionDays: options.noncurrentVersionDays ?? 30,
    };
    const ttlSeconds = options.idempotencyTtlSeconds ?? IDEMPOTENCY.defaultTtlSeconds;
    this.data = new SecureBucket(this, 'data', {
      namePrefix: `${stackName(options.stage)}-data-`,
      ...common,
      // Idempotency-Key records answer for the TTL the upload function is given; S3 expires
      // them a whole day after that, never while one must still answer.
      expiringPrefixes: [{ prefix: KEY_PREFIXES.idempotency, days: idempotencyRecordExpiryDays(ttlSeconds) }],
      // An upload still tagged pending was never acknowledged: its writer died (or failed) between
      // storing it and the 202. It is kept while an event naming it could still be delivered,
      // then removed. Acknowledged uploads are tagged complete and never match.
      expiringTagged: [
        {
          // Only the upload function tags, and only under uploads/.
          id: 'expire-pending-uploads',
          tag: { key: UPLOAD_STATE_TAG.key, value: UPLOAD_STATE_TAG.pending },
          days: pendingUploadExpiryDays(
            options.eventLifetime ?? { streamRetentionHours: STREAM.retentionHours, maxRecordAgeSeconds: -1 },
          ),
        },
        {
          // Bytes of an upload session never completed: nothing was published for them, so they
          // go as soon as S3's lifecycle allows. Only presigned PUTs and the upload function's
          // CreateMultipartUpload set this tag, and only under uploads/.
          id: 'expire-uncompleted-sessions',
          tag: { key: SESSION_UPLOAD_TAG.key, value: SESSION_UPLOAD_TAG.value },
          days: DIRECT_UPLOAD.abandonedExpiryDays,
        },
      ],
      // The parts of a multipart session never completed.
      abortingPrefixes: [
        {
          id: 'abort-incomplete-uploads',
          prefix: KEY_PREFIXES.uploads,
          days: DIRECT_UPLOAD.abandonedExpiryDays,
        },
      ],
      ...(options.corsOrigins && { corsOrigins: options.corsOrigins }),
    });
    this.failures = new SecureBucket(this, 'failures', {
      namePrefix: `${stackName(options.stage)}-failures-`,
      ...common,
    });
  }
}

export interface ObjectAccess {
  readonly sid: string;
  /** Key prefix such as `uploads/`; omit for the whole bucket. */
  readonly prefix?: string;
  readonly actions: readonly string[];
}

/** The env var naming a bucket, plus object permissions under exact prefixes of it. */
export function bucketBinding(
  envName: string,
  bucket: SecureBucket,
  access: readonly ObjectAccess[],
): Binding {
  return {
    env: { [envName]: bucket.name },
    grants: access.map((a) => ({ sid: a.sid, actions: a.actions, resources: [bucket.objectsArn(a.prefix)] })),
  };
}
