/**
 * streamdrop's infrastructure policy: the rules of checkov, AWS serverless-rules and cfn-nag that
 * apply to this stack, carried over as pure functions over the synthesized `cdk.tf.json` (none of
 * those tools runs here). Each rule names its equivalents; where we go further than they do, or
 * deliberately less far, the rule or WAIVED_CHECKS below says why.
 *
 * A rule reports violations and never throws: a policy it cannot read is itself a violation.
 * policy.test.ts runs every rule over the real stack (no violation allowed) and over deliberately
 * bad fragments (each rule must report them).
 */
import {
  block,
  blocks,
  companions,
  isAnyone,
  isRecord,
  readPolicy,
  refersTo,
  resources,
  type Statement,
  strings,
  type TfResource,
  type TfStack,
  validityMinutes,
} from './terraform';

import { WEB_WAIVED_CHECKS, webRules } from './web-rules';

export type { TfStack } from './terraform';

export interface Violation {
  rule: string;
  /** Terraform address of the offending resource. */
  address: string;
  message: string;
}

export interface PolicyRule {
  /** Our id, stable, used in test names and SECURITY.md. */
  id: string;
  /** checkov check ids with the same intent. */
  checkov?: string[];
  /** Equivalents in AWS serverless-rules (tflint rule names), cfn-nag (rule ids) or AWS Config. */
  others?: string[];
  description: string;
  /** Resource types the rule inspects: the real stack must contain at least one, so no rule passes vacuously. */
  appliesTo: string[];
  check(stack: TfStack): Violation[];
}

/**
 * Actions that may be granted on Resource "*", each with the reason AWS leaves no choice. This is
 * the stack's only IAM exception; IAM_NO_WILDCARD_RESOURCES refuses every other "*" resource.
 */
export const WILDCARD_RESOURCE_EXCEPTIONS: ReadonlyArray<{ action: string; reason: string }> = [
  {
    action: 'kinesis:ListStreams',
    reason:
      'ListStreams has no resource-level permissions (the Service Authorization Reference lists no resource ' +
      'type for it), so it can only be granted on "*". It reveals stream names, nothing else; the streams ' +
      "function filters its answer down to the allow-listed streams, and every other Kinesis action names the streams' ARNs.",
  },
  ...['xray:PutTraceSegments', 'xray:PutTelemetryRecords'].map((action) => ({
    action,
    reason:
      'X-Ray has no resource-level permissions (the Service Authorization Reference lists no resource type ' +
      'for its write actions), so active tracing can only be granted on "*"; it is AWS\'s own ' +
      'AWSXRayDaemonWriteAccess grant. It lets a function send trace segments, nothing else: no read.',
  })),
];

/**
 * Checks of the tools above that we do not enforce, each with the reason. Reviewed when the stack
 * changes; a new waiver needs a reason a reviewer can disagree with.
 */
export const WAIVED_CHECKS: ReadonlyArray<{ id: string; check: string; reason: string }> = [
  {
    id: 'CKV_AWS_145',
    check: 'S3 buckets encrypted with a KMS customer managed key',
    reason:
      'SSE-S3 (AES256) is enforced instead (S3_ENCRYPTION_AT_REST). A CMK adds a key policy to keep in step with ' +
      'three roles and per-request KMS cost, and protects against nothing our IAM scoping does not: every ' +
      'reader of the objects is a role of this stack.',
  },
  {
    id: 'CKV_AWS_185',
    check: 'Kinesis stream encrypted with a customer managed key',
    reason:
      'The AWS-managed key alias/aws/kinesis is used (KINESIS_ENCRYPTION): its key policy already limits use to ' +
      'principals of the account allowed to use the stream, so producers and consumers need no kms:* grant.',
  },
  {
    id: 'CKV_AWS_158',
    check: 'CloudWatch log groups encrypted with KMS',
    reason:
      'CloudWatch Logs encrypts log data at rest with service-managed keys. Our logs carry no secrets (no ' +
      'tokens, no file content): request ids, user subs and object keys.',
  },
  {
    id: 'CKV_AWS_338',
    check: 'CloudWatch log groups retain logs for at least 1 year',
    reason:
      'Retention is 14 days by default (STREAMDROP_LOG_RETENTION_DAYS, up to 10 years): logs carry user subs ' +
      'and object keys, and keeping personal data no longer than needed is the stronger default. ' +
      'LOG_GROUP_RETENTION enforces that a retention is set (CKV_AWS_66).',
  },
  {
    id: 'CKV_AWS_117',
    check: 'Lambda functions inside a VPC',
    reason:
      'The functions reach only S3, Kinesis and CloudWatch Logs, public AWS endpoints over TLS with IAM; a VPC ' +
      'would add NAT or interface endpoints and no control IAM does not already give.',
  },
  {
    id: 'CKV_AWS_173',
    check: 'Lambda environment variables encrypted with a customer managed key',
    reason:
      'The environment holds names and limits only (LAMBDA_NO_SECRETS_IN_ENV enforces it); Lambda encrypts ' +
      'it at rest with an AWS-managed key anyway.',
  },
  {
    id: 'CKV_AWS_116',
    check: 'Lambda functions have a dead-letter queue',
    reason:
      'A DLQ only catches asynchronous invocations. Our functions are invoked synchronously (API Gateway) or ' +
      'by an event source mapping (its on-failure destination is enforced by ESM_ON_FAILURE_DESTINATION); ' +
      'LAMBDA_ASYNC_FAILURES_CAPTURED keeps the intent for any function that becomes an async target.',
  },
  {
    id: 'CKV_AWS_115',
    check: 'Lambda functions have reserved concurrency',
    reason:
      'Reserving concurrency fails deployment on accounts with the new-account quota of 10. ' +
      'LAMBDA_CONCURRENCY_BOUNDED keeps the intent: every invocation path is bounded (stage throttling, ' +
      'parallelization factor) or the function reserves concurrency.',
  },
  {
    id: 'CKV_AWS_26',
    check: 'SNS topics encrypted with KMS',
    reason:
      'The alarm topic carries alarm names and states only. CloudWatch cannot publish to a topic under the ' +
      'AWS-managed key alias/aws/sns; a customer managed key with a policy for cloudwatch.amazonaws.com would ' +
      'cost a key and a policy to keep for data that is not sensitive.',
  },
  {
    id: 'CKV_AWS_272',
    check: 'Lambda code signing',
    reason:
      'The bundles are built and zipped by the same pipeline that deploys them (TerraformAsset hashes the ' +
      'contents); code signing would need AWS Signer profiles outside this stack.',
  },
  {
    id: 'CKV_AWS_18',
    check: 'S3 server access logging',
    reason:
      'Object-level access is audited with CloudTrail data events, an account-level trail outside this stack; ' +
      'server access logs would need a third bucket with its own policy.',
  },
  {
    id: 'CKV_AWS_144',
    check: 'S3 cross-region replication',
    reason:
      'Availability, not a control: versioning protects against overwrite and deletion within the region.',
  },
  {
    id: 'CKV2_AWS_62',
    check: 'S3 event notifications',
    reason: 'Uploads are announced through Kinesis by the upload function, not by S3 notifications.',
  },
  {
    id: 'Cognito advanced security',
    check: 'User pool threat protection (advanced_security_mode ENFORCED)',
    reason:
      'Requires the Cognito Plus feature tier at extra cost per user; a stage that needs it sets it on the pool.',
  },
  {
    id: 'WAF',
    check: 'A web ACL in front of the API',
    reason:
      'AWS WAF cannot be associated with HTTP APIs; stage throttling (API_STAGE_THROTTLING) bounds abuse.',
  },
  ...WEB_WAIVED_CHECKS,
];

/** Lambda runtimes we deploy; AWS's deprecation schedule decides when one leaves this list. */
export const SUPPORTED_LAMBDA_RUNTIMES = ['nodejs22.x', 'nodejs24.x'];

const violation = (rule: string, r: Pick<TfResource, 'address'>, message: string): Violation => ({
  rule,
  address: r.address,
  message,
});

// ---------------------------------------------------------------------------------------------
// S3

type PublicAccessFlag =
  | 'block_public_acls'
  | 'block_public_policy'
  | 'ignore_public_acls'
  | 'restrict_public_buckets';

function publicAccessRule(id: string, checkov: string, flag: PublicAccessFlag, what: string): PolicyRule {
  return {
    id,
    checkov: [checkov, 'CKV2_AWS_6'],
    description: `Every bucket has a public access block with ${flag} = true (${what}).`,
    appliesTo: ['aws_s3_bucket', 'aws_s3_bucket_public_access_block'],
    check(stack) {
      return resources(stack, 'aws_s3_bucket').flatMap((bucket) => {
        const blocksOfBucket = companions(stack, 'aws_s3_bucket_public_access_block', bucket);
        if (blocksOfBucket.length === 0)
          return [violation(id, bucket, 'has no aws_s3_bucket_public_access_block')];
        return blocksOfBucket
          .filter((b) => b.body[flag] !== true)
          .map((b) => violation(id, b, `${flag} is not true for ${bucket.address}`));
      });
    },
  };
}

const S3_ENCRYPTION_ALGORITHMS = ['AES256', 'aws:kms', 'aws:kms:dsse'];

function encryptionAlgorithms(stack: TfStack, bucket: TfResource): string[] {
  const separate = companions(stack, 'aws_s3_bucket_server_side_encryption_configuration', bucket).flatMap(
    (c) => blocks(c.body.rule),
  );
  const inline = blocks(block(bucket.body.server_side_encryption_configuration)?.rule);
  return [...separate, ...inline].flatMap((rule) =>
    strings(block(rule.apply_server_side_encryption_by_default)?.sse_algorithm),
  );
}

function versioningEnabled(stack: TfStack, bucket: TfResource): boolean {
  const separate = companions(stack, 'aws_s3_bucket_versioning', bucket).some(
    (v) => block(v.body.versioning_configuration)?.status === 'Enabled',
  );
  return separate || block(bucket.body.versioning)?.enabled === true;
}

/** Bucket policies attached to `bucket` (resource or inline `policy` argument), as statements. */
function bucketPolicies(stack: TfStack, bucket: TfResource) {
  const attached = companions(stack, 'aws_s3_bucket_policy', bucket).map((p) => ({
    resource: p,
    read: readPolicy(stack, p.body.policy),
  }));
  const inline =
    bucket.body.policy === undefined
      ? []
      : [{ resource: bucket, read: readPolicy(stack, bucket.body.policy) }];
  return [...attached, ...inline];
}

function coversBucketAndObjects(statement: Statement, bucket: TfResource): boolean {
  const arn = `\${${bucket.address}.arn}`;
  const all = statement.resources;
  return all.includes('*') || (all.includes(arn) && all.includes(`${arn}/*`));
}

function deniesInsecureTransport(statement: Statement, bucket: TfResource): boolean {
  return (
    statement.effect === 'Deny' &&
    statement.principals.some(isAnyone) &&
    (statement.actions.includes('s3:*') || statement.actions.includes('*')) &&
    coversBucketAndObjects(statement, bucket) &&
    statement.conditions.some(
      (c) => c.test === 'Bool' && c.variable === 'aws:SecureTransport' && c.values.includes('false'),
    )
  );
}

const PUBLIC_CANNED_ACLS = ['public-read', 'public-read-write', 'authenticated-read'];
const PUBLIC_GRANTEES = [
  'http://acs.amazonaws.com/groups/global/AllUsers',
  'http://acs.amazonaws.com/groups/global/AuthenticatedUsers',
];

function publicAclProblems(stack: TfStack, bucket: TfResource): string[] {
  const problems: string[] = [];
  if (typeof bucket.body.acl === 'string' && PUBLIC_CANNED_ACLS.includes(bucket.body.acl)) {
    problems.push(`${bucket.address} has the canned ACL ${bucket.body.acl}`);
  }
  for (const acl of companions(stack, 'aws_s3_bucket_acl', bucket)) {
    if (typeof acl.body.acl === 'string' && PUBLIC_CANNED_ACLS.includes(acl.body.acl)) {
      problems.push(`${acl.address} sets the canned ACL ${acl.body.acl}`);
    }
    const grants = blocks(block(acl.body.access_control_policy)?.grant);
    for (const grant of grants) {
      const uri = block(grant.grantee)?.uri;
      if (typeof uri === 'string' && PUBLIC_GRANTEES.includes(uri)) {
        problems.push(`${acl.address} grants ${String(grant.permission)} to ${uri}`);
      }
    }
  }
  return problems;
}

const s3Rules: PolicyRule[] = [
  publicAccessRule('S3_BLOCK_PUBLIC_ACLS', 'CKV_AWS_53', 'block_public_acls', 'no new public ACL can be set'),
  publicAccessRule(
    'S3_BLOCK_PUBLIC_POLICY',
    'CKV_AWS_54',
    'block_public_policy',
    'no public bucket policy can be put',
  ),
  publicAccessRule(
    'S3_IGNORE_PUBLIC_ACLS',
    'CKV_AWS_55',
    'ignore_public_acls',
    'existing public ACLs are ignored',
  ),
  publicAccessRule(
    'S3_RESTRICT_PUBLIC_BUCKETS',
    'CKV_AWS_56',
    'restrict_public_buckets',
    'a public policy, if any, admits only AWS services and the owner account',
  ),
  {
    id: 'S3_ENCRYPTION_AT_REST',
    checkov: ['CKV_AWS_19'],
    others: ['AWS Config s3-bucket-server-side-encryption-enabled'],
    description:
      'Every bucket declares default server-side encryption (SSE-S3 or SSE-KMS). A CMK is not required: see WAIVED_CHECKS CKV_AWS_145.',
    appliesTo: ['aws_s3_bucket', 'aws_s3_bucket_server_side_encryption_configuration'],
    check(stack) {
      return resources(stack, 'aws_s3_bucket').flatMap((bucket) => {
        const algorithms = encryptionAlgorithms(stack, bucket);
        if (algorithms.length === 0) {
          return [violation('S3_ENCRYPTION_AT_REST', bucket, 'declares no default server-side encryption')];
        }
        return algorithms
          .filter((a) => !S3_ENCRYPTION_ALGORITHMS.includes(a))
          .map((a) => violation('S3_ENCRYPTION_AT_REST', bucket, `uses unknown sse_algorithm ${a}`));
      });
    },
  },
  {
    id: 'S3_VERSIONING',
    checkov: ['CKV_AWS_21'],
    description:
      'Every bucket has versioning enabled, so an overwrite or delete (by a bug or a stolen role) can be undone.',
    appliesTo: ['aws_s3_bucket', 'aws_s3_bucket_versioning'],
    check(stack) {
      return resources(stack, 'aws_s3_bucket')
        .filter((bucket) => !versioningEnabled(stack, bucket))
        .map((bucket) => violation('S3_VERSIONING', bucket, 'does not have versioning Enabled'));
    },
  },
  {
    id: 'S3_TLS_ONLY',
    others: ['AWS Config s3-bucket-ssl-requests-only', 'Security Hub S3.5'],
    description:
      'Every bucket policy denies s3:* on the bucket and its objects to anyone when aws:SecureTransport is false.',
    appliesTo: ['aws_s3_bucket', 'aws_s3_bucket_policy'],
    check(stack) {
      return resources(stack, 'aws_s3_bucket').flatMap((bucket) => {
        const policies = bucketPolicies(stack, bucket);
        if (policies.length === 0) return [violation('S3_TLS_ONLY', bucket, 'has no bucket policy')];
        const unreadable = policies.filter((p) => !p.read.ok);
        if (unreadable.length > 0) {
          return unreadable.map((p) =>
            violation(
              'S3_TLS_ONLY',
              p.resource,
              p.read.ok ? '' : `bucket policy unreadable: ${p.read.reason}`,
            ),
          );
        }
        const denies = policies.some(
          (p) => p.read.ok && p.read.statements.some((s) => deniesInsecureTransport(s, bucket)),
        );
        return denies
          ? []
          : [
              violation(
                'S3_TLS_ONLY',
                bucket,
                'no bucket policy statement denies s3:* on the bucket and its objects when aws:SecureTransport is false',
              ),
            ];
      });
    },
  },
  {
    id: 'S3_NO_PUBLIC_ACL',
    checkov: ['CKV_AWS_20', 'CKV_AWS_57'],
    description:
      'No bucket has a public-read, public-read-write or authenticated-read ACL, nor a grant to AllUsers.',
    appliesTo: ['aws_s3_bucket'],
    check(stack) {
      return resources(stack, 'aws_s3_bucket').flatMap((bucket) =>
        publicAclProblems(stack, bucket).map((p) => violation('S3_NO_PUBLIC_ACL', bucket, p)),
      );
    },
  },
  {
    id: 'S3_ACLS_DISABLED',
    checkov: ['CKV2_AWS_65'],
    description:
      'Every bucket enforces bucket-owner object ownership (BucketOwnerEnforced): ACLs are disabled, IAM alone decides.',
    appliesTo: ['aws_s3_bucket', 'aws_s3_bucket_ownership_controls'],
    check(stack) {
      return resources(stack, 'aws_s3_bucket')
        .filter(
          (bucket) =>
            !companions(stack, 'aws_s3_bucket_ownership_controls', bucket).some(
              (o) => block(o.body.rule)?.object_ownership === 'BucketOwnerEnforced',
            ),
        )
        .map((bucket) =>
          violation('S3_ACLS_DISABLED', bucket, 'does not enforce BucketOwnerEnforced ownership'),
        );
    },
  },
  {
    id: 'S3_POLICY_NO_PUBLIC_ALLOW',
    checkov: ['CKV_AWS_70'],
    others: ['cfn-nag F16'],
    description: 'No bucket policy allows anything to a wildcard principal ("*" or AWS "*").',
    appliesTo: ['aws_s3_bucket_policy'],
    check(stack) {
      return resources(stack, 'aws_s3_bucket_policy').flatMap((policy) => {
        const read = readPolicy(stack, policy.body.policy);
        if (!read.ok) return [violation('S3_POLICY_NO_PUBLIC_ALLOW', policy, `unreadable: ${read.reason}`)];
        return read.statements
          .filter((s) => s.effect === 'Allow' && (s.principals.some(isAnyone) || s.notPrincipals.length > 0))
          .map((s) =>
            violation(
              'S3_POLICY_NO_PUBLIC_ALLOW',
              policy,
              `statement ${s.sid ?? '(no sid)'} allows ${s.actions.join(', ')} to any principal`,
            ),
          );
      });
    },
  },
  {
    id: 'S3_LIFECYCLE',
    checkov: ['CKV2_AWS_61', 'CKV_AWS_300'],
    description:
      'Every bucket has an enabled lifecycle rule that aborts incomplete multipart uploads and expires noncurrent versions.',
    appliesTo: ['aws_s3_bucket', 'aws_s3_bucket_lifecycle_configuration'],
    check(stack) {
      return resources(stack, 'aws_s3_bucket').flatMap((bucket) => {
        const rules = companions(stack, 'aws_s3_bucket_lifecycle_configuration', bucket)
          .flatMap((c) => blocks(c.body.rule))
          .filter((r) => r.status === 'Enabled');
        const problems: string[] = [];
        if (
          !rules.some(
            (r) => typeof block(r.abort_incomplete_multipart_upload)?.days_after_initiation === 'number',
          )
        ) {
          problems.push('no enabled lifecycle rule aborts incomplete multipart uploads');
        }
        if (!rules.some((r) => typeof block(r.noncurrent_version_expiration)?.noncurrent_days === 'number')) {
          problems.push('no enabled lifecycle rule expires noncurrent versions');
        }
        return problems.map((p) => violation('S3_LIFECYCLE', bucket, p));
      });
    },
  },
];

// ---------------------------------------------------------------------------------------------
// Uploads sent straight to S3 from browsers and the CLI (presigned URLs, CORS)

/** Methods a browser needs for presigned uploads and downloads; nothing that deletes or lists. */
const CORS_METHODS = ['GET', 'PUT', 'HEAD'];

/** The CORS rules of a bucket, from its aws_s3_bucket_cors_configuration resources. */
function corsRules(stack: TfStack, bucket: TfResource) {
  return companions(stack, 'aws_s3_bucket_cors_configuration', bucket).flatMap((c) =>
    blocks(c.body.cors_rule).map((rule) => ({ resource: c, rule })),
  );
}

/** Buckets that browsers may PUT to: a CORS rule allows PUT. */
function browserUploadBuckets(stack: TfStack): TfResource[] {
  return resources(stack, 'aws_s3_bucket').filter((bucket) =>
    corsRules(stack, bucket).some(({ rule }) => strings(rule.allowed_methods).includes('PUT')),
  );
}

/** Origins the stack's HTTP APIs allow: the configured web origins. */
function apiOrigins(stack: TfStack): string[] {
  return resources(stack, 'aws_apigatewayv2_api').flatMap((api) =>
    strings(block(api.body.cors_configuration)?.allow_origins),
  );
}

const uploadRules: PolicyRule[] = [
  {
    id: 'S3_CORS_RESTRICTED',
    description:
      'Every bucket CORS rule names exact origins, none beyond the API\'s configured web origins, allows only GET, PUT and HEAD, and lists its allowed headers (never "*").',
    appliesTo: ['aws_s3_bucket_cors_configuration', 'aws_apigatewayv2_api'],
    check(stack) {
      const configured = new Set(apiOrigins(stack));
      return resources(stack, 'aws_s3_bucket_cors_configuration').flatMap((c) =>
        blocks(c.body.cors_rule).flatMap((rule) => {
          const problems: string[] = [];
          for (const origin of strings(rule.allowed_origins)) {
            if (origin.includes('*')) problems.push(`allows the wildcard origin ${origin}`);
            else if (!configured.has(origin))
              problems.push(`allows ${origin}, which is not a configured web origin`);
          }
          for (const method of strings(rule.allowed_methods)) {
            if (!CORS_METHODS.includes(method)) problems.push(`allows the method ${method}`);
          }
          if (strings(rule.allowed_headers).includes('*')) problems.push('allows any request header ("*")');
          return problems.map((m) => violation('S3_CORS_RESTRICTED', c, m));
        }),
      );
    },
  },
  {
    id: 'S3_UPLOAD_LIFECYCLE',
    checkov: ['CKV_AWS_300 (tightened)'],
    description:
      'A bucket browsers may PUT to has enabled lifecycle rules that abort incomplete multipart uploads within a day and expire objects of uncompleted uploads (a tag filter) within a day: nothing an abandoned upload leaves stays.',
    appliesTo: ['aws_s3_bucket_cors_configuration', 'aws_s3_bucket_lifecycle_configuration'],
    check(stack) {
      return browserUploadBuckets(stack).flatMap((bucket) => {
        const rules = companions(stack, 'aws_s3_bucket_lifecycle_configuration', bucket)
          .flatMap((c) => blocks(c.body.rule))
          .filter((r) => r.status === 'Enabled');
        const problems: string[] = [];
        const abortDays = rules
          .map((r) => block(r.abort_incomplete_multipart_upload)?.days_after_initiation)
          .filter((d): d is number => typeof d === 'number');
        if (!abortDays.some((d) => d <= 1)) {
          problems.push('no enabled lifecycle rule aborts incomplete multipart uploads within a day');
        }
        const taggedExpiry = rules.filter((r) => {
          const days = block(r.expiration)?.days;
          return blocks(r.filter).some((f) => f.tag !== undefined) && typeof days === 'number' && days <= 1;
        });
        if (taggedExpiry.length === 0) {
          problems.push('no enabled lifecycle rule expires tagged (uncompleted) uploads within a day');
        }
        return problems.map((p) => violation('S3_UPLOAD_LIFECYCLE', bucket, p));
      });
    },
  },
];

// ---------------------------------------------------------------------------------------------
// DynamoDB

const dynamodbRules: PolicyRule[] = [
  {
    id: 'DYNAMODB_ENCRYPTION',
    checkov: ['CKV_AWS_119 (adapted)'],
    description:
      'Every DynamoDB table is encrypted with a KMS key (server_side_encryption enabled: the AWS-managed key unless one is named).',
    appliesTo: ['aws_dynamodb_table'],
    check(stack) {
      return resources(stack, 'aws_dynamodb_table')
        .filter((t) => block(t.body.server_side_encryption)?.enabled !== true)
        .map((t) => violation('DYNAMODB_ENCRYPTION', t, 'server_side_encryption is not enabled'));
    },
  },
  {
    id: 'DYNAMODB_PITR',
    checkov: ['CKV_AWS_28'],
    description:
      'Every DynamoDB table has point-in-time recovery, so a bad write or a stolen role can be undone.',
    appliesTo: ['aws_dynamodb_table'],
    check(stack) {
      return resources(stack, 'aws_dynamodb_table')
        .filter((t) => block(t.body.point_in_time_recovery)?.enabled !== true)
        .map((t) => violation('DYNAMODB_PITR', t, 'point_in_time_recovery is not enabled'));
    },
  },
];

// ---------------------------------------------------------------------------------------------
// Kinesis

const kinesisRules: PolicyRule[] = [
  {
    id: 'KINESIS_ENCRYPTION',
    checkov: ['CKV_AWS_43'],
    description: 'Every Kinesis stream is encrypted at rest with KMS (encryption_type KMS and a key).',
    appliesTo: ['aws_kinesis_stream'],
    check(stack) {
      return resources(stack, 'aws_kinesis_stream').flatMap((s) => {
        if (s.body.encryption_type !== 'KMS') {
          return [
            violation(
              'KINESIS_ENCRYPTION',
              s,
              `encryption_type is ${String(s.body.encryption_type ?? 'NONE')}`,
            ),
          ];
        }
        return typeof s.body.kms_key_id === 'string' && s.body.kms_key_id !== ''
          ? []
          : [violation('KINESIS_ENCRYPTION', s, 'has encryption_type KMS but no kms_key_id')];
      });
    },
  },
];

// ---------------------------------------------------------------------------------------------
// Lambda

const SECRET_NAME = /(SECRET|PASSWORD|PASSWD|PRIVATE_?KEY|API_?KEY|ACCESS_?KEY|TOKEN|CREDENTIAL)/i;
const SECRET_VALUES: Array<[RegExp, string]> = [
  [/\b(AKIA|ASIA)[A-Z0-9]{16}\b/, 'an AWS access key id'],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'a PEM private key'],
  [/\beyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]+/, 'a JWT'],
  [/\b(ghp|gho|github_pat|xox[abp]|sk_live)_[A-Za-z0-9_]{10,}/, 'an API token'],
];

/** Functions that a service invokes asynchronously: a permission for a principal other than API Gateway. */
function asyncInvokers(stack: TfStack, fn: TfResource): TfResource[] {
  const name = fn.body.function_name;
  return resources(stack, 'aws_lambda_permission').filter(
    (p) =>
      (refersTo(p.body.function_name, fn) || p.body.function_name === name) &&
      typeof p.body.principal === 'string' &&
      p.body.principal.endsWith('.amazonaws.com') &&
      p.body.principal !== 'apigateway.amazonaws.com',
  );
}

function invokesFunction(value: unknown, fn: TfResource): boolean {
  return refersTo(value, fn) || (typeof value === 'string' && value === fn.body.function_name);
}

const lambdaRules: PolicyRule[] = [
  {
    id: 'LAMBDA_RUNTIME_SUPPORTED',
    checkov: ['CKV_AWS_363'],
    others: ['serverless-rules aws_lambda_function_eol_runtime'],
    description: `Every function runs a supported runtime: ${SUPPORTED_LAMBDA_RUNTIMES.join(', ')}.`,
    appliesTo: ['aws_lambda_function'],
    check(stack) {
      return resources(stack, 'aws_lambda_function')
        .filter((fn) => fn.body.package_type !== 'Image')
        .filter((fn) => !SUPPORTED_LAMBDA_RUNTIMES.includes(String(fn.body.runtime)))
        .map((fn) =>
          violation('LAMBDA_RUNTIME_SUPPORTED', fn, `runtime ${String(fn.body.runtime)} is not supported`),
        );
    },
  },
  {
    id: 'LOG_GROUP_RETENTION',
    checkov: ['CKV_AWS_66'],
    description:
      'Every log group sets a finite retention (0 would keep logs forever). At least a year is not required: see WAIVED_CHECKS CKV_AWS_338.',
    appliesTo: ['aws_cloudwatch_log_group'],
    check(stack) {
      return resources(stack, 'aws_cloudwatch_log_group')
        .filter((g) => typeof g.body.retention_in_days !== 'number' || g.body.retention_in_days <= 0)
        .map((g) => violation('LOG_GROUP_RETENTION', g, 'sets no finite retention_in_days'));
    },
  },
  {
    id: 'LAMBDA_LOG_GROUP_MANAGED',
    others: ['serverless-rules aws_cloudwatch_log_group_lambda_retention'],
    description:
      'Every function has its /aws/lambda/<name> log group in the stack, created before the function, so Lambda never creates one without retention.',
    appliesTo: ['aws_lambda_function', 'aws_cloudwatch_log_group'],
    check(stack) {
      const groups = resources(stack, 'aws_cloudwatch_log_group');
      return resources(stack, 'aws_lambda_function').flatMap((fn) => {
        const group = groups.find((g) => g.body.name === `/aws/lambda/${String(fn.body.function_name)}`);
        if (!group)
          return [
            violation('LAMBDA_LOG_GROUP_MANAGED', fn, 'has no /aws/lambda/<name> log group in the stack'),
          ];
        return strings(fn.body.depends_on).includes(group.address)
          ? []
          : [violation('LAMBDA_LOG_GROUP_MANAGED', fn, `does not depend on ${group.address}`)];
      });
    },
  },
  {
    id: 'LAMBDA_NO_SECRETS_IN_ENV',
    checkov: ['CKV_AWS_45'],
    description:
      'No environment variable is named like a secret or holds one (AWS keys, private keys, JWTs, API tokens).',
    appliesTo: ['aws_lambda_function'],
    check(stack) {
      return resources(stack, 'aws_lambda_function').flatMap((fn) => {
        const variables = block(fn.body.environment)?.variables;
        if (!isRecord(variables)) return [];
        return Object.entries(variables).flatMap(([name, value]) => {
          const found: Violation[] = [];
          if (SECRET_NAME.test(name)) {
            found.push(violation('LAMBDA_NO_SECRETS_IN_ENV', fn, `${name} is named like a secret`));
          }
          for (const [pattern, what] of SECRET_VALUES) {
            if (typeof value === 'string' && pattern.test(value)) {
              found.push(violation('LAMBDA_NO_SECRETS_IN_ENV', fn, `${name} holds ${what}`));
            }
          }
          return found;
        });
      });
    },
  },
  {
    id: 'LAMBDA_ROLE_PER_FUNCTION',
    description:
      'No two functions share an execution role: each role holds exactly the grants of its function (least privilege).',
    appliesTo: ['aws_lambda_function'],
    check(stack) {
      const byRole = new Map<string, TfResource[]>();
      for (const fn of resources(stack, 'aws_lambda_function')) {
        const role = String(fn.body.role);
        byRole.set(role, [...(byRole.get(role) ?? []), fn]);
      }
      return [...byRole.values()]
        .filter((fns) => fns.length > 1)
        .flatMap((fns) =>
          fns.map((fn) =>
            violation(
              'LAMBDA_ROLE_PER_FUNCTION',
              fn,
              `shares its role with ${fns
                .filter((f) => f !== fn)
                .map((f) => f.address)
                .join(', ')}`,
            ),
          ),
        );
    },
  },
  {
    id: 'LAMBDA_CONCURRENCY_BOUNDED',
    checkov: ['CKV_AWS_115 (adapted)'],
    description:
      'Every function either reserves concurrency or is invoked only through bounded paths: API routes of throttled stages, and stream event source mappings with a set parallelization factor.',
    appliesTo: ['aws_lambda_function', 'aws_apigatewayv2_stage', 'aws_lambda_event_source_mapping'],
    check(stack) {
      const stages = resources(stack, 'aws_apigatewayv2_stage');
      const throttled = (apiRef: string) =>
        stages.some((s) => {
          const settings = block(s.body.default_route_settings);
          return (
            s.body.api_id === apiRef &&
            typeof settings?.throttling_burst_limit === 'number' &&
            typeof settings.throttling_rate_limit === 'number'
          );
        });
      const integrations = resources(stack, 'aws_apigatewayv2_integration');
      return resources(stack, 'aws_lambda_function').flatMap((fn) => {
        const reserved = fn.body.reserved_concurrent_executions;
        if (typeof reserved === 'number' && reserved >= 0) return [];
        const problems: string[] = [];
        for (const integration of integrations.filter((i) => invokesFunction(i.body.integration_uri, fn))) {
          if (!throttled(String(integration.body.api_id))) {
            problems.push(`is invoked by ${integration.address} of an API whose stage has no throttling`);
          }
        }
        for (const esm of resources(stack, 'aws_lambda_event_source_mapping')) {
          if (
            invokesFunction(esm.body.function_name, fn) &&
            typeof esm.body.parallelization_factor !== 'number'
          ) {
            problems.push(`is invoked by ${esm.address}, which sets no parallelization_factor`);
          }
        }
        for (const p of asyncInvokers(stack, fn)) {
          problems.push(
            `is invoked by ${p.body.principal as string} (${p.address}) with no concurrency bound`,
          );
        }
        return problems.map((p) => violation('LAMBDA_CONCURRENCY_BOUNDED', fn, p));
      });
    },
  },
  {
    id: 'LAMBDA_ASYNC_FAILURES_CAPTURED',
    checkov: ['CKV_AWS_116 (adapted)'],
    others: ['serverless-rules aws_lambda_event_invoke_config_async_on_failure'],
    description:
      'A function that a service invokes asynchronously has a dead-letter queue or an on-failure destination, so failed events are kept.',
    appliesTo: ['aws_lambda_function'],
    check(stack) {
      const invokeConfigs = resources(stack, 'aws_lambda_function_event_invoke_config');
      return resources(stack, 'aws_lambda_function').flatMap((fn) => {
        const invokers = asyncInvokers(stack, fn);
        if (invokers.length === 0) return [];
        const dlq = typeof block(fn.body.dead_letter_config)?.target_arn === 'string';
        const onFailure = invokeConfigs.some(
          (c) =>
            invokesFunction(c.body.function_name, fn) &&
            typeof block(block(c.body.destination_config)?.on_failure)?.destination === 'string',
        );
        return dlq || onFailure
          ? []
          : [
              violation(
                'LAMBDA_ASYNC_FAILURES_CAPTURED',
                fn,
                `is invoked asynchronously by ${invokers.map((p) => String(p.body.principal)).join(', ')} and has neither a DLQ nor an on-failure destination`,
              ),
            ];
      });
    },
  },
  {
    id: 'LAMBDA_PERMISSION_SCOPED',
    checkov: ['CKV_AWS_364', 'CKV_AWS_301'],
    others: ['cfn-nag F13'],
    description:
      'Every Lambda permission grants lambda:InvokeFunction to one named service, limited by source_arn (or source_account); never to "*".',
    appliesTo: ['aws_lambda_permission'],
    check(stack) {
      return resources(stack, 'aws_lambda_permission').flatMap((p) => {
        const problems: string[] = [];
        const principal = String(p.body.principal ?? '');
        if (principal === '*' || principal === '') problems.push('grants to any principal');
        if (p.body.action !== 'lambda:InvokeFunction') problems.push(`grants ${String(p.body.action)}`);
        if (principal.endsWith('.amazonaws.com') && !p.body.source_arn && !p.body.source_account) {
          problems.push(`lets ${principal} invoke the function on behalf of any account (no source_arn)`);
        }
        return problems.map((m) => violation('LAMBDA_PERMISSION_SCOPED', p, m));
      });
    },
  },
];

// ---------------------------------------------------------------------------------------------
// Event source mappings (stream consumers)

function streamMappings(stack: TfStack): TfResource[] {
  return resources(stack, 'aws_lambda_event_source_mapping').filter((m) => {
    const arn = String(m.body.event_source_arn ?? '');
    return (
      arn.includes('aws_kinesis_stream.') ||
      arn.includes('aws_dynamodb_table.') ||
      /:(kinesis|dynamodb):/.test(arn)
    );
  });
}

function mappingRule(
  id: string,
  description: string,
  problem: (m: TfResource) => string | undefined,
  others: string[] = [],
): PolicyRule {
  return {
    id,
    others,
    description,
    appliesTo: ['aws_lambda_event_source_mapping'],
    check(stack) {
      return streamMappings(stack).flatMap((m) => {
        const p = problem(m);
        return p ? [violation(id, m, p)] : [];
      });
    },
  };
}

const isIntIn = (value: unknown, min: number, max: number) =>
  typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;

const mappingRules: PolicyRule[] = [
  mappingRule(
    'ESM_ON_FAILURE_DESTINATION',
    'Every stream event source mapping sends records that exhaust their retries to an on-failure destination.',
    (m) =>
      typeof block(block(m.body.destination_config)?.on_failure)?.destination_arn === 'string'
        ? undefined
        : 'has no destination_config.on_failure.destination_arn: failed records would be dropped',
    ['serverless-rules aws_lambda_event_source_mapping_failure_destination'],
  ),
  mappingRule(
    'ESM_BISECT_ON_ERROR',
    'Every stream event source mapping splits a failing batch in two, so one poison record cannot fail its neighbours.',
    (m) =>
      m.body.bisect_batch_on_function_error === true
        ? undefined
        : 'does not bisect a batch on function error',
  ),
  mappingRule(
    'ESM_BOUNDED_RETRIES',
    'Every stream event source mapping bounds its retries (0-10000; the default -1 retries until the record expires and blocks the shard).',
    (m) =>
      isIntIn(m.body.maximum_retry_attempts, 0, 10000)
        ? undefined
        : `maximum_retry_attempts is ${String(m.body.maximum_retry_attempts ?? 'unset (-1: until expiry)')}`,
  ),
  mappingRule(
    'ESM_BOUNDED_RECORD_AGE',
    'Every stream event source mapping bounds the age of the records it still processes (60-604800 s; the default -1 means until expiry).',
    (m) =>
      isIntIn(m.body.maximum_record_age_in_seconds, 60, 604800)
        ? undefined
        : `maximum_record_age_in_seconds is ${String(m.body.maximum_record_age_in_seconds ?? 'unset (-1: until expiry)')}`,
  ),
  mappingRule(
    'ESM_PARTIAL_BATCH_RESPONSE',
    'Every stream event source mapping lets the function report the records that failed (ReportBatchItemFailures), so successes are not retried.',
    (m) =>
      strings(m.body.function_response_types).includes('ReportBatchItemFailures')
        ? undefined
        : 'function_response_types lacks ReportBatchItemFailures',
  ),
];

// ---------------------------------------------------------------------------------------------
// IAM

/** Identity policies of the stack: role inline policies (resource and block) and managed policies. */
function identityPolicies(stack: TfStack) {
  const rolePolicies = resources(stack, 'aws_iam_role_policy').map((p) => ({
    resource: p,
    value: p.body.policy,
  }));
  const managed = resources(stack, 'aws_iam_policy').map((p) => ({ resource: p, value: p.body.policy }));
  const inline = resources(stack, 'aws_iam_role').flatMap((role) =>
    blocks(role.body.inline_policy).map((b) => ({ resource: role, value: b.policy })),
  );
  return [...rolePolicies, ...managed, ...inline].map((p) => ({ ...p, read: readPolicy(stack, p.value) }));
}

function iamStatementRule(
  id: string,
  rest: Omit<PolicyRule, 'id' | 'check' | 'appliesTo'>,
  problem: (s: Statement) => string | undefined,
): PolicyRule {
  return {
    id,
    ...rest,
    appliesTo: ['aws_iam_role_policy'],
    check(stack) {
      return identityPolicies(stack).flatMap((p) => {
        if (!p.read.ok) return [violation(id, p.resource, `policy unreadable: ${p.read.reason}`)];
        return p.read.statements.flatMap((s) => {
          const found = s.effect === 'Allow' ? problem(s) : undefined;
          return found ? [violation(id, p.resource, `statement ${s.sid ?? '(no sid)'} ${found}`)] : [];
        });
      });
    },
  };
}

const WILDCARD_RESOURCE = /^(\*|arn:aws[a-z-]*:[^:]*:[^:]*:[^:]*:\*)$/;
const exceptedOnWildcard = new Set(WILDCARD_RESOURCE_EXCEPTIONS.map((e) => e.action));
const BROAD_MANAGED_POLICIES = /:policy\/(AdministratorAccess|PowerUserAccess|IAMFullAccess)$/;

/** Object actions a presigned URL can carry for whoever holds it. */
const PRESIGNABLE = ['s3:GetObject', 's3:PutObject'];

/** DynamoDB actions on items: what a function of this stack may do to a table, nothing else. */
const DYNAMODB_ITEM_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:Query',
  'dynamodb:ConditionCheckItem',
];

/** A resource that names a table of the stack, or an index of one. */
function namesStackTable(stack: TfStack, resource: string): boolean {
  return resources(stack, 'aws_dynamodb_table').some(
    (t) => resource === `\${${t.address}.arn}` || resource.startsWith(`\${${t.address}.arn}/index/`),
  );
}

const iamRules: PolicyRule[] = [
  iamStatementRule(
    'IAM_NO_WILDCARD_ACTIONS',
    {
      checkov: ['CKV_AWS_63', 'CKV_AWS_62'],
      others: ['serverless-rules aws_iam_role_lambda_no_star', 'cfn-nag F3'],
      description:
        'No Allow statement of an identity policy grants a wildcard action ("*", "s3:*", "s3:Get*") or uses NotAction.',
    },
    (s) => {
      const wild = s.actions.filter((a) => a.includes('*'));
      if (wild.length > 0) return `allows wildcard actions ${wild.join(', ')}`;
      return s.notActions.length > 0 ? 'allows by NotAction (everything but a list)' : undefined;
    },
  ),
  iamStatementRule(
    'IAM_NO_WILDCARD_RESOURCES',
    {
      checkov: ['CKV_AWS_355', 'CKV_AWS_290'],
      others: ['cfn-nag W11'],
      description:
        'No Allow statement of an identity policy grants on Resource "*" (or uses NotResource), except the actions in WILDCARD_RESOURCE_EXCEPTIONS.',
    },
    (s) => {
      if (s.notResources.length > 0) return 'allows by NotResource (everything but a list)';
      if (!s.resources.some((r) => WILDCARD_RESOURCE.test(r))) return undefined;
      const unexcepted = s.actions.filter((a) => !exceptedOnWildcard.has(a));
      return unexcepted.length > 0 ? `allows ${unexcepted.join(', ')} on a wildcard resource` : undefined;
    },
  ),
  {
    id: 'IAM_PRESIGN_SCOPED',
    description:
      "No role may GetObject or PutObject on every object of a bucket browsers reach (CORS): a presigned URL carries its signer's permission for one key, so a signer scoped to key prefixes can only ever sign keys under them.",
    appliesTo: ['aws_iam_role_policy', 'aws_s3_bucket_cors_configuration'],
    check(stack) {
      const reachable = browserUploadBuckets(stack);
      return identityPolicies(stack).flatMap((p) => {
        if (!p.read.ok)
          return [violation('IAM_PRESIGN_SCOPED', p.resource, `policy unreadable: ${p.read.reason}`)];
        return p.read.statements
          .filter((s) => s.effect === 'Allow' && s.actions.some((a) => PRESIGNABLE.includes(a)))
          .flatMap((s) =>
            s.resources
              .filter((r) => reachable.some((b) => r === `\${${b.address}.arn}/*`) || r === '*')
              .map((r) =>
                violation(
                  'IAM_PRESIGN_SCOPED',
                  p.resource,
                  `statement ${s.sid ?? '(no sid)'} allows ${s.actions.filter((a) => PRESIGNABLE.includes(a)).join(', ')} on ${r}, every object of a bucket browsers reach`,
                ),
              ),
          );
      });
    },
  },
  {
    id: 'IAM_DYNAMODB_SCOPED',
    description:
      'DynamoDB is granted only item actions (no Scan, no table administration), and only on tables of the stack or their indexes.',
    appliesTo: ['aws_iam_role_policy', 'aws_dynamodb_table'],
    check(stack) {
      return identityPolicies(stack).flatMap((p) => {
        if (!p.read.ok)
          return [violation('IAM_DYNAMODB_SCOPED', p.resource, `policy unreadable: ${p.read.reason}`)];
        return p.read.statements
          .filter((s) => s.effect === 'Allow' && s.actions.some((a) => a.startsWith('dynamodb:')))
          .flatMap((s) => {
            const problems: string[] = [];
            const other = s.actions.filter(
              (a) => a.startsWith('dynamodb:') && !DYNAMODB_ITEM_ACTIONS.includes(a),
            );
            if (other.length > 0) problems.push(`allows ${other.join(', ')}`);
            const outside = s.resources.filter((r) => !namesStackTable(stack, r));
            if (outside.length > 0)
              problems.push(`grants DynamoDB on ${outside.join(', ')}, not a table of the stack`);
            return problems.map((m) =>
              violation('IAM_DYNAMODB_SCOPED', p.resource, `statement ${s.sid ?? '(no sid)'} ${m}`),
            );
          });
      });
    },
  },
  {
    id: 'IAM_TRUST_SPECIFIC_SERVICE',
    checkov: ['CKV_AWS_60', 'CKV_AWS_61'],
    description:
      'Every role may be assumed only by named service principals, with sts:AssumeRole and nothing wider.',
    appliesTo: ['aws_iam_role'],
    check(stack) {
      return resources(stack, 'aws_iam_role').flatMap((role) => {
        const read = readPolicy(stack, role.body.assume_role_policy);
        if (!read.ok)
          return [violation('IAM_TRUST_SPECIFIC_SERVICE', role, `trust policy unreadable: ${read.reason}`)];
        return read.statements
          .filter((s) => s.effect === 'Allow')
          .flatMap((s) => {
            const problems: string[] = [];
            if (s.principals.length === 0 || s.principals.some((p) => p.type !== 'Service')) {
              problems.push('trusts a principal that is not a named AWS service');
            }
            if (s.principals.some((p) => p.identifiers.some((id) => id.includes('*')))) {
              problems.push('trusts a wildcard principal');
            }
            if (s.actions.some((a) => a !== 'sts:AssumeRole')) {
              problems.push(`allows ${s.actions.filter((a) => a !== 'sts:AssumeRole').join(', ')}`);
            }
            return problems.map((m) => violation('IAM_TRUST_SPECIFIC_SERVICE', role, m));
          });
      });
    },
  },
  {
    id: 'IAM_NO_BROAD_MANAGED_POLICIES',
    checkov: ['CKV_AWS_274'],
    description: 'No role is given AdministratorAccess, PowerUserAccess or IAMFullAccess.',
    appliesTo: ['aws_iam_role'],
    check(stack) {
      const attached = [
        ...resources(stack, 'aws_iam_role_policy_attachment').map((a) => ({
          r: a,
          arns: strings(a.body.policy_arn),
        })),
        ...resources(stack, 'aws_iam_role').map((role) => ({
          r: role,
          arns: strings(role.body.managed_policy_arns),
        })),
      ];
      return attached.flatMap(({ r, arns }) =>
        arns
          .filter((arn) => BROAD_MANAGED_POLICIES.test(arn))
          .map((arn) => violation('IAM_NO_BROAD_MANAGED_POLICIES', r, `attaches ${arn}`)),
      );
    },
  },
];

// ---------------------------------------------------------------------------------------------
// API Gateway (HTTP API)

const AUTHORIZED_ROUTE_TYPES = ['JWT', 'AWS_IAM', 'CUSTOM'];

function isHttpsOrLocalhost(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || (url.protocol === 'http:' && url.hostname === 'localhost');
  } catch {
    return false;
  }
}

const apiRules: PolicyRule[] = [
  {
    id: 'API_ROUTE_AUTHORIZATION',
    checkov: ['CKV_AWS_308'],
    others: ['AWS Config api-gwv2-authorization-type-configured'],
    description:
      'Every route requires authorization (JWT, AWS_IAM or CUSTOM), and a JWT or CUSTOM route names its authorizer.',
    appliesTo: ['aws_apigatewayv2_route'],
    check(stack) {
      return resources(stack, 'aws_apigatewayv2_route').flatMap((route) => {
        const type = String(route.body.authorization_type ?? 'NONE');
        if (!AUTHORIZED_ROUTE_TYPES.includes(type)) {
          return [
            violation(
              'API_ROUTE_AUTHORIZATION',
              route,
              `${String(route.body.route_key)} has authorization ${type}`,
            ),
          ];
        }
        return type !== 'AWS_IAM' && !route.body.authorizer_id
          ? [
              violation(
                'API_ROUTE_AUTHORIZATION',
                route,
                `${String(route.body.route_key)} is ${type} without an authorizer_id`,
              ),
            ]
          : [];
      });
    },
  },
  {
    id: 'API_JWT_AUTHORIZER_PINNED',
    description:
      'Every JWT authorizer reads the Authorization header and pins an https issuer and explicit audiences (no "*").',
    appliesTo: ['aws_apigatewayv2_authorizer'],
    check(stack) {
      return resources(stack, 'aws_apigatewayv2_authorizer')
        .filter((a) => a.body.authorizer_type === 'JWT')
        .flatMap((a) => {
          const jwt = block(a.body.jwt_configuration);
          const problems: string[] = [];
          const issuer = typeof jwt?.issuer === 'string' ? jwt.issuer : '';
          if (!issuer.startsWith('https://')) problems.push(`issuer "${issuer}" is not an https URL`);
          const audience = strings(jwt?.audience);
          if (audience.length === 0) problems.push('has no audience');
          if (audience.some((v) => v.includes('*'))) problems.push('has a wildcard audience');
          if (!strings(a.body.identity_sources).every((s) => s === '$request.header.Authorization')) {
            problems.push(`reads the token from ${strings(a.body.identity_sources).join(', ')}`);
          }
          return problems.map((m) => violation('API_JWT_AUTHORIZER_PINNED', a, m));
        });
    },
  },
  {
    id: 'API_STAGE_THROTTLING',
    others: ['serverless-rules aws_apigatewayv2_stage_throttling_rule'],
    description: 'Every stage sets default route throttling (burst and rate above zero).',
    appliesTo: ['aws_apigatewayv2_stage'],
    check(stack) {
      return resources(stack, 'aws_apigatewayv2_stage').flatMap((stage) => {
        const settings = block(stage.body.default_route_settings);
        const problems = (['throttling_burst_limit', 'throttling_rate_limit'] as const)
          .filter((k) => typeof settings?.[k] !== 'number' || (settings[k] as number) <= 0)
          .map((k) => `default_route_settings.${k} is not set above 0`);
        return problems.map((m) => violation('API_STAGE_THROTTLING', stage, m));
      });
    },
  },
  {
    id: 'API_STAGE_ACCESS_LOGGING',
    checkov: ['CKV_AWS_76', 'CKV_AWS_95'],
    others: [
      'cfn-nag W46',
      'serverless-rules aws_apigatewayv2_stage_logging',
      'serverless-rules aws_apigatewayv2_stage_structured_logging',
    ],
    description:
      'Every stage writes access logs to a log group, one JSON object per request carrying the request id and the authorizer error.',
    appliesTo: ['aws_apigatewayv2_stage'],
    check(stack) {
      return resources(stack, 'aws_apigatewayv2_stage').flatMap((stage) => {
        const settings = block(stage.body.access_log_settings);
        if (typeof settings?.destination_arn !== 'string') {
          return [violation('API_STAGE_ACCESS_LOGGING', stage, 'has no access_log_settings.destination_arn')];
        }
        let format: unknown;
        try {
          format = JSON.parse(String(settings.format));
        } catch {
          return [violation('API_STAGE_ACCESS_LOGGING', stage, 'access log format is not JSON')];
        }
        const values = isRecord(format) ? Object.values(format) : [];
        return ['$context.requestId', '$context.authorizer.error']
          .filter((v) => !values.includes(v))
          .map((v) => violation('API_STAGE_ACCESS_LOGGING', stage, `access log format lacks ${v}`));
      });
    },
  },
  {
    id: 'API_CORS_RESTRICTED',
    description:
      'CORS, when configured, names exact origins (https, or http only for localhost): never "*", and never credentials with a wildcard.',
    appliesTo: ['aws_apigatewayv2_api'],
    check(stack) {
      return resources(stack, 'aws_apigatewayv2_api').flatMap((api) => {
        const cors = block(api.body.cors_configuration);
        if (!cors) return [];
        const origins = strings(cors.allow_origins);
        const problems: string[] = [];
        for (const origin of origins) {
          if (origin.includes('*')) problems.push(`allows the wildcard origin ${origin}`);
          else if (!isHttpsOrLocalhost(origin)) problems.push(`allows the origin ${origin} over plain http`);
        }
        if (cors.allow_credentials === true && strings(cors.allow_headers).includes('*')) {
          problems.push('allows credentials with any header');
        }
        return problems.map((m) => violation('API_CORS_RESTRICTED', api, m));
      });
    },
  },
];

// ---------------------------------------------------------------------------------------------
// Cognito

const MAX_ID_ACCESS_TOKEN_MINUTES = 60;
const MAX_REFRESH_TOKEN_DAYS = 30;

const cognitoRules: PolicyRule[] = [
  {
    id: 'COGNITO_PASSWORD_POLICY',
    description:
      'Every user pool requires passwords of 12+ characters with lower case, upper case, digits and symbols, and temporary passwords expire within 7 days.',
    appliesTo: ['aws_cognito_user_pool'],
    check(stack) {
      return resources(stack, 'aws_cognito_user_pool').flatMap((pool) => {
        const policy = block(pool.body.password_policy);
        if (!policy)
          return [
            violation(
              'COGNITO_PASSWORD_POLICY',
              pool,
              'has no password_policy (Cognito defaults to 8 characters)',
            ),
          ];
        const problems: string[] = [];
        if (typeof policy.minimum_length !== 'number' || policy.minimum_length < 12) {
          problems.push(`minimum_length is ${String(policy.minimum_length)}, below 12`);
        }
        for (const flag of ['require_lowercase', 'require_uppercase', 'require_numbers', 'require_symbols']) {
          if (policy[flag] !== true) problems.push(`${flag} is not true`);
        }
        const temporary = policy.temporary_password_validity_days;
        if (typeof temporary !== 'number' || temporary > 7)
          problems.push('temporary passwords are valid for more than 7 days');
        return problems.map((m) => violation('COGNITO_PASSWORD_POLICY', pool, m));
      });
    },
  },
  {
    id: 'COGNITO_PREVENT_USER_EXISTENCE_ERRORS',
    description:
      'Every app client answers sign-in and recovery for unknown users exactly as for known ones (no user enumeration).',
    appliesTo: ['aws_cognito_user_pool_client'],
    check(stack) {
      return resources(stack, 'aws_cognito_user_pool_client')
        .filter((c) => c.body.prevent_user_existence_errors !== 'ENABLED')
        .map((c) =>
          violation(
            'COGNITO_PREVENT_USER_EXISTENCE_ERRORS',
            c,
            'prevent_user_existence_errors is not ENABLED',
          ),
        );
    },
  },
  {
    id: 'COGNITO_MFA_CONFIGURABLE',
    others: ['cfn-nag F51'],
    description: 'Every user pool offers MFA (OPTIONAL or ON) with TOTP software tokens enabled.',
    appliesTo: ['aws_cognito_user_pool'],
    check(stack) {
      return resources(stack, 'aws_cognito_user_pool').flatMap((pool) => {
        const problems: string[] = [];
        const mfa = String(pool.body.mfa_configuration ?? 'OFF');
        if (mfa !== 'OPTIONAL' && mfa !== 'ON') problems.push(`mfa_configuration is ${mfa}`);
        if (block(pool.body.software_token_mfa_configuration)?.enabled !== true) {
          problems.push('TOTP software token MFA is not enabled');
        }
        return problems.map((m) => violation('COGNITO_MFA_CONFIGURABLE', pool, m));
      });
    },
  },
  {
    id: 'COGNITO_TOKEN_VALIDITY_BOUNDED',
    description: `Every app client sets ID and access tokens to at most ${MAX_ID_ACCESS_TOKEN_MINUTES} minutes and refresh tokens to at most ${MAX_REFRESH_TOKEN_DAYS} days, and can revoke them.`,
    appliesTo: ['aws_cognito_user_pool_client'],
    check(stack) {
      return resources(stack, 'aws_cognito_user_pool_client').flatMap((c) => {
        const units = block(c.body.token_validity_units) ?? {};
        const problems: string[] = [];
        for (const [kind, unit] of [
          ['id', units.id_token],
          ['access', units.access_token],
        ] as const) {
          const minutes = validityMinutes(c.body[`${kind}_token_validity`], unit, 'hours');
          if (minutes === undefined) problems.push(`${kind}_token_validity is not set`);
          else if (minutes > MAX_ID_ACCESS_TOKEN_MINUTES)
            problems.push(`${kind} tokens live ${minutes} minutes`);
        }
        const refresh = validityMinutes(c.body.refresh_token_validity, units.refresh_token, 'days');
        if (refresh === undefined) problems.push('refresh_token_validity is not set');
        else if (refresh > MAX_REFRESH_TOKEN_DAYS * 1440)
          problems.push(`refresh tokens live ${refresh / 1440} days`);
        if (c.body.enable_token_revocation === false) problems.push('token revocation is disabled');
        return problems.map((m) => violation('COGNITO_TOKEN_VALIDITY_BOUNDED', c, m));
      });
    },
  },
  {
    id: 'COGNITO_CLIENT_SAFE_OAUTH',
    description:
      'App clients use the authorization code flow only (no implicit flow) and redirect only to https URLs (http only for localhost).',
    appliesTo: ['aws_cognito_user_pool_client'],
    check(stack) {
      return resources(stack, 'aws_cognito_user_pool_client').flatMap((c) => {
        const problems: string[] = [];
        if (strings(c.body.allowed_oauth_flows).includes('implicit'))
          problems.push('allows the implicit flow');
        for (const url of [...strings(c.body.callback_urls), ...strings(c.body.logout_urls)]) {
          if (!isHttpsOrLocalhost(url)) problems.push(`redirects to ${url}`);
        }
        return problems.map((m) => violation('COGNITO_CLIENT_SAFE_OAUTH', c, m));
      });
    },
  },
];

// ---------------------------------------------------------------------------------------------
// Observability: traces, structured logs, and alarms that someone hears

/** One metric an alarm watches: its own, or one of its metric_query entries. */
interface AlarmMetric {
  namespace: string;
  name: string;
  dimensions: Record<string, unknown>;
}

function alarmMetrics(alarm: TfResource): AlarmMetric[] {
  const own =
    typeof alarm.body.metric_name === 'string'
      ? [
          {
            namespace: String(alarm.body.namespace ?? ''),
            name: alarm.body.metric_name,
            dimensions: block(alarm.body.dimensions) ?? {},
          },
        ]
      : [];
  const queried = blocks(alarm.body.metric_query).flatMap((q) => {
    const metric = block(q.metric);
    return metric && typeof metric.metric_name === 'string'
      ? [
          {
            namespace: String(metric.namespace ?? ''),
            name: metric.metric_name,
            dimensions: block(metric.dimensions) ?? {},
          },
        ]
      : [];
  });
  return [...own, ...queried];
}

/** Alarms that notify someone: at least one alarm action, and actions not disabled. */
function heardAlarms(stack: TfStack): TfResource[] {
  return resources(stack, 'aws_cloudwatch_metric_alarm').filter(
    (a) => strings(a.body.alarm_actions).length > 0 && a.body.actions_enabled !== false,
  );
}

/** Heard alarms watching `namespace`/`name` with a `dimension` that names `target` (a reference or its literal). */
function alarmsOn(
  stack: TfStack,
  namespace: string,
  name: string,
  dimension: string,
  target: TfResource,
  literal: unknown,
) {
  return heardAlarms(stack).filter((alarm) =>
    alarmMetrics(alarm).some(
      (m) =>
        m.namespace === namespace &&
        m.name === name &&
        (refersTo(m.dimensions[dimension], target) ||
          (literal !== undefined && m.dimensions[dimension] === literal)),
    ),
  );
}

/** The function a mapping feeds, when its function_name refers to one in the stack. */
function mappedFunction(stack: TfStack, mapping: TfResource): TfResource | undefined {
  return resources(stack, 'aws_lambda_function').find((fn) =>
    invokesFunction(mapping.body.function_name, fn),
  );
}

/** The bucket of a mapping's on-failure destination, when it is an S3 bucket of the stack. */
function onFailureBucket(stack: TfStack, mapping: TfResource): TfResource | undefined {
  const arn = block(block(mapping.body.destination_config)?.on_failure)?.destination_arn;
  return resources(stack, 'aws_s3_bucket').find((b) => refersTo(arn, b));
}

const observabilityRules: PolicyRule[] = [
  {
    id: 'LAMBDA_TRACING_ACTIVE',
    checkov: ['CKV_AWS_50'],
    others: ['serverless-rules aws_lambda_function_tracing_rule'],
    description:
      "Every function has X-Ray active tracing (tracing_config mode Active): the runtime's segment per invocation.",
    appliesTo: ['aws_lambda_function'],
    check(stack) {
      return resources(stack, 'aws_lambda_function')
        .filter((fn) => block(fn.body.tracing_config)?.mode !== 'Active')
        .map((fn) =>
          violation(
            'LAMBDA_TRACING_ACTIVE',
            fn,
            `tracing_config mode is ${String(block(fn.body.tracing_config)?.mode ?? 'unset (PassThrough)')}`,
          ),
        );
    },
  },
  {
    id: 'LAMBDA_STRUCTURED_LOGS',
    others: ['serverless-rules structured logging'],
    description:
      "Every function logs JSON (logging_config log_format JSON): the runtime's own lines as well as the function's, so one Logs Insights query reads them all.",
    appliesTo: ['aws_lambda_function'],
    check(stack) {
      return resources(stack, 'aws_lambda_function')
        .filter((fn) => block(fn.body.logging_config)?.log_format !== 'JSON')
        .map((fn) =>
          violation(
            'LAMBDA_STRUCTURED_LOGS',
            fn,
            `logging_config log_format is ${String(block(fn.body.logging_config)?.log_format ?? 'unset (Text)')}`,
          ),
        );
    },
  },
  {
    id: 'ALARM_ACTIONS',
    checkov: ['CKV_AWS_319'],
    description:
      'Every CloudWatch alarm notifies someone: it has an alarm action, and its actions are enabled.',
    appliesTo: ['aws_cloudwatch_metric_alarm'],
    check(stack) {
      return resources(stack, 'aws_cloudwatch_metric_alarm').flatMap((alarm) => {
        if (alarm.body.actions_enabled === false) {
          return [violation('ALARM_ACTIONS', alarm, 'has actions_enabled = false')];
        }
        return strings(alarm.body.alarm_actions).length === 0
          ? [violation('ALARM_ACTIONS', alarm, 'has no alarm_actions: nobody hears it')]
          : [];
      });
    },
  },
  {
    id: 'ALARM_ITERATOR_AGE',
    others: ['AWS Solutions Constructs aws-kinesisstreams-lambda (iterator age alarm)'],
    description:
      'The function of every stream event source mapping has an alarm with an action on its IteratorAge: a stuck or slow consumer is heard before its records expire.',
    appliesTo: ['aws_lambda_event_source_mapping', 'aws_cloudwatch_metric_alarm'],
    check(stack) {
      return streamMappings(stack).flatMap((mapping) => {
        const fn = mappedFunction(stack, mapping);
        if (!fn) return [violation('ALARM_ITERATOR_AGE', mapping, 'feeds no function of the stack')];
        return alarmsOn(stack, 'AWS/Lambda', 'IteratorAge', 'FunctionName', fn, fn.body.function_name)
          .length > 0
          ? []
          : [
              violation(
                'ALARM_ITERATOR_AGE',
                mapping,
                `no alarm with an action watches the IteratorAge of ${fn.address}`,
              ),
            ];
      });
    },
  },
  {
    id: 'ALARM_FUNCTION_ERRORS',
    others: ['serverless-rules (Lambda errors alarm)'],
    description: 'Every function has an alarm with an action on its Errors.',
    appliesTo: ['aws_lambda_function', 'aws_cloudwatch_metric_alarm'],
    check(stack) {
      return resources(stack, 'aws_lambda_function').flatMap((fn) =>
        alarmsOn(stack, 'AWS/Lambda', 'Errors', 'FunctionName', fn, fn.body.function_name).length > 0
          ? []
          : [violation('ALARM_FUNCTION_ERRORS', fn, 'no alarm with an action watches its Errors')],
      );
    },
  },
  {
    id: 'ALARM_ON_FAILURE_RECORDS',
    description:
      "Every stream event source mapping's S3 on-failure destination is counted (an S3 request metrics filter on the aws/lambda/ prefix Lambda writes under) and an alarm with an action watches that count: records out of retries are heard, not only kept.",
    appliesTo: ['aws_lambda_event_source_mapping', 'aws_s3_bucket_metric', 'aws_cloudwatch_metric_alarm'],
    check(stack) {
      return streamMappings(stack).flatMap((mapping) => {
        const bucket = onFailureBucket(stack, mapping);
        if (!bucket) return [];
        const filters = companions(stack, 'aws_s3_bucket_metric', bucket).filter((f) => {
          const prefix = block(f.body.filter)?.prefix;
          return prefix === undefined || prefix === '' || prefix === 'aws/lambda/';
        });
        if (filters.length === 0) {
          return [
            violation(
              'ALARM_ON_FAILURE_RECORDS',
              mapping,
              `nothing counts the records it writes to ${bucket.address}`,
            ),
          ];
        }
        const watched = heardAlarms(stack).some((alarm) =>
          alarmMetrics(alarm).some(
            (m) =>
              m.namespace === 'AWS/S3' &&
              m.name === 'PutRequests' &&
              refersTo(m.dimensions.BucketName, bucket) &&
              filters.some((f) => m.dimensions.FilterId === f.body.name),
          ),
        );
        return watched
          ? []
          : [
              violation(
                'ALARM_ON_FAILURE_RECORDS',
                mapping,
                `no alarm with an action watches the PutRequests of ${bucket.address}'s filter`,
              ),
            ];
      });
    },
  },
];

/** Every rule of the policy, in the order SECURITY.md lists them. */
export const RULES: readonly PolicyRule[] = [
  ...s3Rules,
  ...uploadRules,
  ...dynamodbRules,
  ...kinesisRules,
  ...lambdaRules,
  ...mappingRules,
  ...iamRules,
  ...apiRules,
  ...cognitoRules,
  ...observabilityRules,
  ...webRules,
];

/** Runs every rule over `stack`. */
export function evaluate(stack: TfStack, rules: readonly PolicyRule[] = RULES): Violation[] {
  return rules.flatMap((rule) => rule.check(stack));
}
