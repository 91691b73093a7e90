import {
  type BucketLocationConstraint,
  CreateBucketCommand,
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  type LifecycleRule,
  PutBucketEncryptionCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutPublicAccessBlockCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { UserError } from '@streamdrop/cli-kit';

/** One setting of the state bucket: what was found, and whether this run changed it. */
export interface BucketStep {
  readonly setting: string;
  readonly changed: boolean;
  /** Deliberately left as it is (and `detail` says why). */
  readonly skipped?: boolean;
  readonly detail: string;
}

/** The statement that refuses every request made without TLS. */
export const TLS_ONLY_SID = 'DenyInsecureTransport';

/** The partition of a region's ARNs (aws, aws-cn, aws-us-gov). */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

export function tlsOnlyStatement(bucket: string, region: string): Record<string, unknown> {
  const arn = `arn:${partitionOf(region)}:s3:::${bucket}`;
  return {
    Sid: TLS_ONLY_SID,
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: [arn, `${arn}/*`],
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  };
}

/** Same JSON value, whatever the key order (S3 may hand a policy back reformatted). */
function sameJson(a: unknown, b: unknown): boolean {
  const normalize = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(normalize);
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value as Record<string, unknown>)
          .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
          .map(([k, v]) => [k, normalize(v)]),
      );
    }
    return value;
  };
  return JSON.stringify(normalize(a)) === JSON.stringify(normalize(b));
}

/** The error's S3 code or name, and its HTTP status. */
function errorInfo(error: unknown): { name: string; status: number | undefined } {
  const e = error as { name?: unknown; Code?: unknown; $metadata?: { httpStatusCode?: number } };
  const name = typeof e?.Code === 'string' ? e.Code : typeof e?.name === 'string' ? e.name : '';
  return { name, status: e?.$metadata?.httpStatusCode };
}

/** Runs a Get*; resolves undefined when S3 says the configuration does not exist. */
async function getOrMissing<T>(get: () => Promise<T>, missing: readonly string[]): Promise<T | undefined> {
  try {
    return await get();
  } catch (error) {
    const { name, status } = errorInfo(error);
    if (missing.includes(name) || status === 404) return undefined;
    throw error;
  }
}

/** The lifecycle rule that keeps the state bucket from growing without end. */
export const STATE_LIFECYCLE_ID = 'streamdrop-state-retention';
/** Old state versions are kept this long, to roll back a bad apply; then they go. */
export const NONCURRENT_DAYS = 90;

/**
 * Every write of a versioned state (and every lock, which Terraform writes and deletes for each
 * plan or apply) leaves an old version behind, and each released lock a delete marker: old
 * versions expire NONCURRENT_DAYS after they were replaced, delete markers with nothing left
 * behind them go, and abandoned multipart uploads after a week. The current state is never
 * expired, nor a lock that is still held.
 */
export function stateLifecycleRule(): LifecycleRule {
  return {
    ID: STATE_LIFECYCLE_ID,
    Status: 'Enabled',
    Filter: { Prefix: '' },
    NoncurrentVersionExpiration: { NoncurrentDays: NONCURRENT_DAYS },
    Expiration: { ExpiredObjectDeleteMarker: true },
    AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
  };
}

/** True when `rule` does what stateLifecycleRule asks, whatever else S3 added to it. */
function isStateRule(rule: LifecycleRule): boolean {
  const filter = rule.Filter;
  const wholeBucket =
    (filter === undefined || (!filter.Tag && !filter.And && !filter.Prefix)) && !rule.Prefix;
  return (
    rule.Status === 'Enabled' &&
    wholeBucket &&
    rule.NoncurrentVersionExpiration?.NoncurrentDays === NONCURRENT_DAYS &&
    rule.Expiration?.ExpiredObjectDeleteMarker === true &&
    rule.AbortIncompleteMultipartUpload?.DaysAfterInitiation === 7
  );
}

export interface EnsureStateBucketOptions {
  readonly bucket: string;
  readonly region: string;
  /**
   * Set the TLS-only bucket policy (default true). False when the bucket is reached over plain
   * http (an emulator): the policy would refuse every request made that way.
   */
  readonly tlsOnly?: boolean;
}

/**
 * Makes `bucket` a Terraform state bucket: created if missing, versioning on, default
 * encryption (SSE-S3 unless a KMS one is already set), every public access block, ACLs disabled
 * (BucketOwnerEnforced), and a policy that denies requests without TLS (other statements kept).
 * Each setting is read first and written only when it differs, so a second run changes nothing.
 */
export async function ensureStateBucket(
  s3: S3Client,
  options: EnsureStateBucketOptions,
): Promise<BucketStep[]> {
  const { bucket, region } = options;
  const Bucket = bucket;
  const steps: BucketStep[] = [];

  // 1. The bucket itself.
  let exists = true;
  try {
    await s3.send(new HeadBucketCommand({ Bucket }));
  } catch (error) {
    const { name, status } = errorInfo(error);
    if (status === 404 || name === 'NotFound' || name === 'NoSuchBucket') exists = false;
    else if (status === 403) {
      throw new UserError(
        `bucket ${bucket} exists but these credentials cannot use it (another account owns it, or s3:ListBucket is not allowed). Pick another name with --bucket.`,
      );
    } else if (status === 301) {
      throw new UserError(
        `bucket ${bucket} is in another region than ${region}: pass its region with --region.`,
      );
    } else throw error;
  }
  if (exists) {
    steps.push({ setting: 'bucket', changed: false, detail: `${bucket} exists` });
  } else {
    await s3.send(
      new CreateBucketCommand({
        Bucket,
        ObjectOwnership: 'BucketOwnerEnforced',
        // us-east-1 is the one region S3 wants without a location constraint.
        ...(region === 'us-east-1'
          ? {}
          : { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } }),
      }),
    );
    steps.push({ setting: 'bucket', changed: true, detail: `${bucket} created in ${region}` });
  }

  // 2. Versioning: every state version is kept, so a bad apply can be rolled back.
  const versioning = await s3.send(new GetBucketVersioningCommand({ Bucket }));
  if (versioning.Status === 'Enabled') {
    steps.push({ setting: 'versioning', changed: false, detail: 'already enabled' });
  } else {
    await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    steps.push({
      setting: 'versioning',
      changed: true,
      detail: `enabled (was ${versioning.Status ?? 'never set'})`,
    });
  }

  // 3. Default encryption: keep a KMS configuration someone chose; otherwise SSE-S3.
  const encryption = await getOrMissing(
    () => s3.send(new GetBucketEncryptionCommand({ Bucket })),
    ['ServerSideEncryptionConfigurationNotFoundError'],
  );
  const algorithm =
    encryption?.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault
      ?.SSEAlgorithm;
  if (algorithm) {
    steps.push({ setting: 'encryption', changed: false, detail: `already ${algorithm}` });
  } else {
    await s3.send(
      new PutBucketEncryptionCommand({
        Bucket,
        ServerSideEncryptionConfiguration: {
          Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: true }],
        },
      }),
    );
    steps.push({ setting: 'encryption', changed: true, detail: 'SSE-S3 (AES256) set' });
  }

  // 4. Public access: all four blocks.
  const block = (
    await getOrMissing(
      () => s3.send(new GetPublicAccessBlockCommand({ Bucket })),
      ['NoSuchPublicAccessBlockConfiguration'],
    )
  )?.PublicAccessBlockConfiguration;
  if (
    block?.BlockPublicAcls &&
    block.BlockPublicPolicy &&
    block.IgnorePublicAcls &&
    block.RestrictPublicBuckets
  ) {
    steps.push({ setting: 'public access block', changed: false, detail: 'already all four blocked' });
  } else {
    await s3.send(
      new PutPublicAccessBlockCommand({
        Bucket,
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
      }),
    );
    steps.push({ setting: 'public access block', changed: true, detail: 'all four blocks set' });
  }

  // 5. Object ownership: ACLs disabled, the bucket owner owns every object.
  const ownership = await getOrMissing(
    () => s3.send(new GetBucketOwnershipControlsCommand({ Bucket })),
    ['OwnershipControlsNotFoundError'],
  );
  if (ownership?.OwnershipControls?.Rules?.[0]?.ObjectOwnership === 'BucketOwnerEnforced') {
    steps.push({
      setting: 'object ownership',
      changed: false,
      detail: 'already BucketOwnerEnforced (ACLs off)',
    });
  } else {
    await s3.send(
      new PutBucketOwnershipControlsCommand({
        Bucket,
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      }),
    );
    steps.push({ setting: 'object ownership', changed: true, detail: 'BucketOwnerEnforced (ACLs off)' });
  }

  // 6. Lifecycle: old state versions, released locks and their delete markers expire.
  const lifecycle = await getOrMissing(
    () => s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket })),
    ['NoSuchLifecycleConfiguration'],
  );
  const rules = lifecycle?.Rules ?? [];
  if (rules.some((rule) => rule.ID === STATE_LIFECYCLE_ID && isStateRule(rule))) {
    steps.push({ setting: 'lifecycle', changed: false, detail: `already has ${STATE_LIFECYCLE_ID}` });
  } else {
    const others = rules.filter((rule) => rule.ID !== STATE_LIFECYCLE_ID);
    await s3.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket,
        LifecycleConfiguration: { Rules: [...others, stateLifecycleRule()] },
      }),
    );
    steps.push({
      setting: 'lifecycle',
      changed: true,
      detail: `old versions and released locks expire after ${NONCURRENT_DAYS} days${others.length > 0 ? ` (next to ${others.length} other rule(s))` : ''}`,
    });
  }

  // 7. TLS only: our statement, next to whatever else the policy says.
  if (options.tlsOnly === false) {
    steps.push({
      setting: 'TLS-only policy',
      changed: false,
      skipped: true,
      detail:
        'not set: this endpoint is plain http, and the policy would refuse every request made through it',
    });
    return steps;
  }
  const current = await getOrMissing(
    () => s3.send(new GetBucketPolicyCommand({ Bucket })),
    ['NoSuchBucketPolicy'],
  );
  const wanted = tlsOnlyStatement(bucket, region);
  let policy: { Version?: unknown; Statement?: unknown } = {};
  if (current?.Policy) {
    try {
      policy = JSON.parse(current.Policy) as typeof policy;
    } catch {
      throw new UserError(
        `the bucket policy of ${bucket} is not JSON; fix or delete it, then run this again`,
      );
    }
  }
  const statements = Array.isArray(policy.Statement)
    ? policy.Statement
    : policy.Statement
      ? [policy.Statement]
      : [];
  if (statements.some((statement) => sameJson(statement, wanted))) {
    steps.push({ setting: 'TLS-only policy', changed: false, detail: `already has ${TLS_ONLY_SID}` });
  } else {
    const others = statements.filter(
      (s) => !(s && typeof s === 'object' && (s as { Sid?: unknown }).Sid === TLS_ONLY_SID),
    );
    await s3.send(
      new PutBucketPolicyCommand({
        Bucket,
        Policy: JSON.stringify({ Version: '2012-10-17', Statement: [...others, wanted] }),
      }),
    );
    steps.push({
      setting: 'TLS-only policy',
      changed: true,
      detail: `${TLS_ONLY_SID} ${others.length > 0 ? `added next to ${others.length} other statement(s)` : 'set'}`,
    });
  }
  return steps;
}
