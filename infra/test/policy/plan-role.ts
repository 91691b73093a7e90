/**
 * The policy of the plan role (deploy/iam/plan-role-policy.json): the role that pull requests
 * and the deploy workflow's plan job assume by OIDC to run `terraform plan`. Pull request code
 * runs with it, so it may read what Terraform needs to refresh the stack, and nothing else: the
 * state and its lock, describe/list/get on the stack's own resource types, never the data (the
 * objects in the buckets, the stream's records, the logs' events, the users of the pool), and a
 * KMS decrypt only as the state needs it. The rules below judge the document against the
 * synthesized stack, in the style of rules.ts; plan-role-negatives.ts breaks it for each rule.
 *
 * The document names what only the account knows by placeholders: STATE_BUCKET, REGION and
 * ACCOUNT_ID (docs/deploy.md says how to fill them in).
 */
import { WEB_OBJECT_TAG } from '@streamdrop/config';
import type { Violation } from './rules';
import { readPolicy, type Statement, type TfStack } from './terraform';

export const PLACEHOLDERS = { stateBucket: 'STATE_BUCKET', region: 'REGION', account: 'ACCOUNT_ID' } as const;

/** The stack as synthesized, with its backend (the state key comes from there). */
export type SynthesizedStack = TfStack & {
  terraform?: { backend?: Record<string, Record<string, unknown>> };
};

export interface PlanRoleRule {
  id: string;
  description: string;
  check(policy: readonly Statement[], stack: SynthesizedStack): Violation[];
}

/** The policy's statements; a document that cannot be read is an error of the test itself. */
export function readPlanRolePolicy(text: string): Statement[] {
  const read = readPolicy({}, text);
  if (!read.ok) throw new Error(`deploy/iam/plan-role-policy.json: ${read.reason}`);
  return read.statements;
}

/**
 * What Terraform's AWS provider (5.100.0) calls to refresh each resource type, as IAM actions. A
 * type of the stack that is missing here fails PLAN_ROLE_COVERS_STACK: find out what its read
 * calls, add them here and to the policy. Types the stack may gain soon are listed ahead.
 */
export const READ_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  aws_cloudfront_distribution: ['cloudfront:GetDistribution', 'cloudfront:ListTagsForResource'],
  aws_cloudfront_origin_access_control: ['cloudfront:GetOriginAccessControl'],
  aws_cloudfront_response_headers_policy: ['cloudfront:GetResponseHeadersPolicy'],
  // HeadObject is authorized as s3:GetObject: see WEB_OBJECTS for why these objects may be read.
  aws_s3_object: ['s3:GetObject', 's3:GetObjectTagging'],
  aws_apigatewayv2_api: ['apigateway:GET'],
  aws_apigatewayv2_authorizer: ['apigateway:GET'],
  aws_apigatewayv2_integration: ['apigateway:GET'],
  aws_apigatewayv2_route: ['apigateway:GET'],
  aws_apigatewayv2_stage: ['apigateway:GET'],
  aws_cloudwatch_dashboard: ['cloudwatch:GetDashboard'],
  aws_cloudwatch_log_group: ['logs:DescribeLogGroups', 'logs:ListTagsForResource'],
  aws_cloudwatch_metric_alarm: ['cloudwatch:DescribeAlarms', 'cloudwatch:ListTagsForResource'],
  aws_cognito_user_group: ['cognito-idp:GetGroup'],
  aws_cognito_user_pool: ['cognito-idp:DescribeUserPool', 'cognito-idp:GetUserPoolMfaConfig'],
  aws_cognito_user_pool_client: ['cognito-idp:DescribeUserPoolClient'],
  aws_cognito_user_pool_domain: ['cognito-idp:DescribeUserPoolDomain'],
  aws_dynamodb_table: [
    'dynamodb:DescribeTable',
    'dynamodb:DescribeContinuousBackups',
    'dynamodb:DescribeTimeToLive',
    'dynamodb:ListTagsOfResource',
  ],
  aws_iam_role: ['iam:GetRole', 'iam:ListRolePolicies', 'iam:ListAttachedRolePolicies'],
  aws_iam_role_policy: ['iam:GetRolePolicy'],
  aws_kinesis_stream: ['kinesis:DescribeStreamSummary', 'kinesis:ListTagsForStream'],
  aws_lambda_event_source_mapping: ['lambda:GetEventSourceMapping'],
  aws_lambda_function: [
    'lambda:GetFunction',
    'lambda:GetFunctionCodeSigningConfig',
    'lambda:GetRuntimeManagementConfig',
    'lambda:ListVersionsByFunction',
  ],
  aws_lambda_permission: ['lambda:GetPolicy'],
  aws_s3_bucket: [
    // HeadBucket, which tells Terraform the bucket exists, is authorized as s3:ListBucket.
    's3:ListBucket',
    's3:GetBucketAcl',
    's3:GetBucketCORS',
    's3:GetBucketLogging',
    's3:GetBucketObjectLockConfiguration',
    's3:GetBucketPolicy',
    's3:GetBucketRequestPayment',
    's3:GetBucketTagging',
    's3:GetBucketVersioning',
    's3:GetBucketWebsite',
    's3:GetAccelerateConfiguration',
    's3:GetEncryptionConfiguration',
    's3:GetLifecycleConfiguration',
    's3:GetReplicationConfiguration',
  ],
  aws_s3_bucket_cors_configuration: ['s3:GetBucketCORS'],
  aws_s3_bucket_lifecycle_configuration: ['s3:GetLifecycleConfiguration'],
  aws_s3_bucket_metric: ['s3:GetMetricsConfiguration'],
  aws_s3_bucket_notification: ['s3:GetBucketNotification'],
  aws_s3_bucket_ownership_controls: ['s3:GetBucketOwnershipControls'],
  aws_s3_bucket_policy: ['s3:GetBucketPolicy'],
  aws_s3_bucket_public_access_block: ['s3:GetBucketPublicAccessBlock'],
  aws_s3_bucket_server_side_encryption_configuration: ['s3:GetEncryptionConfiguration'],
  aws_s3_bucket_versioning: ['s3:GetBucketVersioning'],
  aws_sns_topic: ['sns:GetTopicAttributes', 'sns:ListTagsForResource'],
  aws_sns_topic_subscription: ['sns:GetSubscriptionAttributes'],
};

/**
 * The web client's files, the only objects besides the state the role may read: Terraform reads
 * each one back (HeadObject, GetObjectTagging) to refresh it. They are the built page, public
 * through CloudFront anyway, never user data. The grant names the web buckets
 * (`streamdrop-<stage>-web-…`) and requires the tag the stack puts on exactly these objects
 * (WEB_OBJECT_TAG): a stage name that made a data bucket match the pattern would still find its
 * objects untagged.
 */
export const WEB_OBJECTS = {
  resource: 'arn:aws:s3:::streamdrop-*-web-*/*',
  actions: ['s3:GetObject', 's3:GetObjectTagging'],
  tag: WEB_OBJECT_TAG,
} as const;

/** A grant of the web client's objects as WEB_OBJECTS allows it: those actions, that resource, that tag. */
function isWebObjectsGrant(s: Statement): boolean {
  const tag = s.conditions.find(
    (c) => c.test === 'StringEquals' && c.variable === `s3:ExistingObjectTag/${WEB_OBJECTS.tag.key}`,
  );
  return (
    s.resources.length === 1 &&
    s.resources[0] === WEB_OBJECTS.resource &&
    s.actions.every((a) => (WEB_OBJECTS.actions as readonly string[]).includes(a)) &&
    tag?.values.join() === WEB_OBJECTS.tag.value
  );
}

/** Data sources Terraform evaluates without any call a policy governs. */
export const LOCAL_DATA_SOURCES: readonly string[] = [
  'aws_iam_policy_document',
  'aws_region',
  'aws_partition',
  // sts:GetCallerIdentity needs no permission.
  'aws_caller_identity',
];

/** Actions that read the data the stack holds, not its configuration. The role must never have them. */
export const DATA_READS: ReadonlyArray<{ action: string; reads: string }> = [
  { action: 's3:GetObject', reads: 'the uploads and processed files' },
  { action: 's3:GetObjectVersion', reads: 'old versions of the uploads' },
  { action: 'kinesis:GetRecords', reads: 'the upload events on the stream' },
  { action: 'kinesis:GetShardIterator', reads: 'the upload events on the stream' },
  { action: 'kinesis:SubscribeToShard', reads: 'the upload events on the stream' },
  { action: 'logs:GetLogEvents', reads: 'the functions’ logs (user ids, object keys)' },
  { action: 'logs:FilterLogEvents', reads: 'the functions’ logs' },
  { action: 'logs:StartQuery', reads: 'the functions’ logs' },
  { action: 'logs:GetQueryResults', reads: 'the functions’ logs' },
  { action: 'logs:StartLiveTail', reads: 'the functions’ logs' },
  { action: 'logs:GetLogRecord', reads: 'the functions’ logs' },
  { action: 'dynamodb:GetItem', reads: 'an upload’s status, file name and size' },
  { action: 'dynamodb:Query', reads: 'every upload of a user' },
  { action: 'dynamodb:Scan', reads: 'every upload of every user' },
  { action: 'dynamodb:BatchGetItem', reads: 'uploads’ status, file names and sizes' },
  { action: 'cognito-idp:ListUsers', reads: 'every user’s e-mail address' },
  { action: 'cognito-idp:ListUsersInGroup', reads: 'the administrators’ e-mail addresses' },
  { action: 'cognito-idp:AdminGetUser', reads: 'a user’s attributes' },
  { action: 'cognito-idp:AdminListGroupsForUser', reads: 'a user’s groups' },
  { action: 'cognito-idp:AdminListDevices', reads: 'a user’s devices' },
  { action: 'cognito-idp:AdminGetDevice', reads: 'a user’s devices' },
  { action: 'cognito-idp:AdminListUserAuthEvents', reads: 'a user’s sign-in history' },
];

/**
 * Resources the policy may name without the `streamdrop-` prefix, each for the actions listed
 * and for the reason given: AWS names these resources by ids the stack does not choose, or the
 * action has no resource-level permission at all.
 */
export const UNNAMED_RESOURCES: ReadonlyArray<{
  resource: string;
  actions: readonly string[];
  reason: string;
}> = [
  {
    resource: '*',
    actions: ['cognito-idp:DescribeUserPoolDomain'],
    reason:
      'DescribeUserPoolDomain has no resource-level permission (the Service Authorization Reference lists no ' +
      'resource type for it); it returns the domain’s settings, nothing about users.',
  },
  {
    resource: `arn:aws:logs:${PLACEHOLDERS.region}:${PLACEHOLDERS.account}:log-group:*`,
    actions: ['logs:DescribeLogGroups'],
    reason:
      'DescribeLogGroups lists: IAM checks it against every log group of the region. It returns names, ' +
      'retention and sizes, never an event (the data reads are denied by name).',
  },
  {
    resource: `arn:aws:cognito-idp:${PLACEHOLDERS.region}:${PLACEHOLDERS.account}:userpool/*`,
    actions: [
      'cognito-idp:DescribeUserPool',
      'cognito-idp:DescribeUserPoolClient',
      'cognito-idp:GetGroup',
      'cognito-idp:GetUserPoolMfaConfig',
      'cognito-idp:ListTagsForResource',
    ],
    reason:
      'User pool ARNs end in an id AWS generates (us-east-1_AbC123), not a name the stack chooses; the actions ' +
      'read pool settings, and reading users is denied by name.',
  },
  {
    resource: `arn:aws:apigateway:${PLACEHOLDERS.region}::/apis/*`,
    actions: ['apigateway:GET'],
    reason:
      'HTTP APIs are addressed by generated ids (/apis/a1b2c3d4e5). apigateway:GET reads configuration; an API ' +
      'holds no data of its own.',
  },
  {
    resource: `arn:aws:lambda:${PLACEHOLDERS.region}:${PLACEHOLDERS.account}:event-source-mapping:*`,
    actions: ['lambda:GetEventSourceMapping', 'lambda:ListTags'],
    reason:
      'Event source mappings are addressed by a generated UUID; the actions read the mapping’s settings.',
  },
  ...(
    [
      ['distribution', ['cloudfront:GetDistribution', 'cloudfront:ListTagsForResource']],
      ['origin-access-control', ['cloudfront:GetOriginAccessControl']],
      ['response-headers-policy', ['cloudfront:GetResponseHeadersPolicy']],
    ] as const
  ).map(([kind, actions]) => ({
    resource: `arn:aws:cloudfront::${PLACEHOLDERS.account}:${kind}/*`,
    actions,
    reason:
      `CloudFront names a ${kind.replace(/-/g, ' ')} by an id it generates (E2QWRUHEXAMPLE), not by a name the stack ` +
      'chooses; the actions read its configuration, and CloudFront holds no data of the stack.',
  })),
  {
    resource: `arn:aws:kms:${PLACEHOLDERS.region}:${PLACEHOLDERS.account}:key/*`,
    actions: ['kms:Decrypt'],
    reason:
      'The state bucket’s key, if it has one, is the account’s choice. PLAN_ROLE_DECRYPT_ONLY_THE_STATE ' +
      'requires conditions that limit the decrypt to S3 reading the state bucket.',
  },
];

// ---------------------------------------------------------------------------------------------

/** IAM's wildcard match of an action or ARN pattern (`*` any run, `?` one character). */
export function iamMatch(pattern: string, value: string, caseInsensitive = false): boolean {
  const source = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, caseInsensitive ? 'i' : '').test(value);
}

const actionMatches = (pattern: string, action: string) => iamMatch(pattern, action, true);

const where = (s: Statement, index: number) => `plan-role-policy.json#${s.sid ?? `statement ${index + 1}`}`;

function violation(rule: string, s: Statement, index: number, message: string): Violation {
  return { rule, address: where(s, index), message };
}

const allows = (policy: readonly Statement[]) =>
  policy.map((s, i) => [s, i] as const).filter(([s]) => s.effect === 'Allow');

/** True when some Allow statement grants `action` on `arn` (the resource may be a pattern). */
function granted(policy: readonly Statement[], action: string, arn?: string): boolean {
  return allows(policy).some(
    ([s]) =>
      s.actions.some((p) => actionMatches(p, action)) &&
      (arn === undefined || s.resources.some((r) => iamMatch(r, arn))),
  );
}

const READ_VERB = /^[a-z0-9-]+:(Describe|Get|List|Head)[A-Za-z0-9*]*$/;

/** The state's S3 key for each stage, from the stack's S3 backend (`streamdrop/<stage>/terraform.tfstate`). */
function stateKey(stack: SynthesizedStack): string | undefined {
  const key = stack.terraform?.backend?.s3?.key;
  return typeof key === 'string' ? key : undefined;
}

const stateBucketArn = `arn:aws:s3:::${PLACEHOLDERS.stateBucket}`;

/** An ARN (or pattern) inside the state bucket. */
const inStateBucket = (arn: string) => arn === stateBucketArn || arn.startsWith(`${stateBucketArn}/`);

/** The partition-, region- and account-placeholders an ARN of each service carries. */
function scopedArn(arn: string): boolean {
  const [, partition, service, region, account, ...rest] = arn.split(':');
  if (partition !== 'aws' || rest.length === 0) return false;
  switch (service) {
    case 's3':
      return region === '' && account === '';
    case 'iam':
      return region === '' && account === PLACEHOLDERS.account;
    case 'apigateway':
      return region === PLACEHOLDERS.region && account === '';
    case 'cloudfront':
      // CloudFront is global: its ARNs carry the account but no region.
      return region === '' && account === PLACEHOLDERS.account;
    case 'cloudwatch':
      // Dashboards are global: their ARNs carry the account but no region.
      return rest.join(':').startsWith('dashboard/')
        ? region === '' && account === PLACEHOLDERS.account
        : region === PLACEHOLDERS.region && account === PLACEHOLDERS.account;
    default:
      return region === PLACEHOLDERS.region && account === PLACEHOLDERS.account;
  }
}

/** The resource part of an ARN names the stack's resources: `streamdrop-…` or the state bucket. */
function namesOurs(arn: string): boolean {
  if (inStateBucket(arn)) return true;
  const resource = arn.split(':').slice(5).join(':');
  return /(^|[/:])streamdrop-/.test(resource);
}

export const PLAN_ROLE_RULES: readonly PlanRoleRule[] = [
  {
    id: 'PLAN_ROLE_READ_ONLY',
    description:
      'Every action the role is allowed reads (Describe*, Get*, List*, Head*, apigateway:GET): nothing it does can change the stack or the state, not even the lock.',
    check(policy) {
      return allows(policy).flatMap(([s, i]) => [
        ...s.actions
          .filter((a) => !(READ_VERB.test(a) || a.toLowerCase() === 'apigateway:get' || a === 'kms:Decrypt'))
          .map((a) => violation('PLAN_ROLE_READ_ONLY', s, i, `allows ${a}, which is not a read`)),
        ...(s.notActions.length > 0
          ? [violation('PLAN_ROLE_READ_ONLY', s, i, 'allows everything but its NotAction')]
          : []),
        ...(s.notResources.length > 0
          ? [violation('PLAN_ROLE_READ_ONLY', s, i, 'allows on everything but its NotResource')]
          : []),
      ]);
    },
  },
  {
    id: 'PLAN_ROLE_NO_DATA_READS',
    description:
      'No statement allows reading the data the stack holds (objects outside the state, stream records, log events, users), and a Deny refuses it outright, in case another policy is ever attached to the role.',
    check(policy) {
      const problems: Violation[] = [];
      for (const [s, i] of allows(policy)) {
        if (isWebObjectsGrant(s)) continue;
        for (const { action, reads } of DATA_READS) {
          if (!s.actions.some((p) => actionMatches(p, action))) continue;
          const outside = s.resources.filter((r) => !inStateBucket(r));
          if (outside.length > 0 || !action.startsWith('s3:')) {
            problems.push(
              violation(
                'PLAN_ROLE_NO_DATA_READS',
                s,
                i,
                `allows ${action} on ${(outside.length > 0 ? outside : s.resources).join(', ')}: it reads ${reads}`,
              ),
            );
          }
        }
      }
      const denies = policy.map((s, i) => [s, i] as const).filter(([s]) => s.effect === 'Deny');
      for (const { action } of DATA_READS) {
        const denied = denies.some(
          ([s]) =>
            s.actions.some((p) => actionMatches(p, action)) &&
            (s.resources.includes('*') ||
              (s.notResources.length > 0 &&
                s.notResources.every((r) => inStateBucket(r) || r === WEB_OBJECTS.resource))),
        );
        if (!denied) {
          problems.push({
            rule: 'PLAN_ROLE_NO_DATA_READS',
            address: 'plan-role-policy.json',
            message: `no Deny of ${action} on everything but the state`,
          });
        }
      }
      return problems;
    },
  },
  {
    id: 'PLAN_ROLE_READS_THE_STATE',
    description:
      'The role can list the state bucket and read each stage’s state and its lock (streamdrop/<stage>/terraform.tfstate[.tflock]), and no other object.',
    check(policy, stack) {
      const key = stateKey(stack);
      if (!key) {
        return [
          {
            rule: 'PLAN_ROLE_READS_THE_STATE',
            address: 'plan-role-policy.json',
            message: 'the stack has no S3 backend to read the state key from',
          },
        ];
      }
      const problems: Violation[] = [];
      const want: Array<[string, string | undefined]> = [
        ['s3:ListBucket', stateBucketArn],
        ['s3:GetObject', `${stateBucketArn}/${key}`],
        ['s3:GetObject', `${stateBucketArn}/${key}.tflock`],
      ];
      for (const [action, arn] of want) {
        if (!granted(policy, action, arn)) {
          problems.push({
            rule: 'PLAN_ROLE_READS_THE_STATE',
            address: 'plan-role-policy.json',
            message: `does not allow ${action} on ${arn}`,
          });
        }
      }
      for (const [s, i] of allows(policy)) {
        if (!s.actions.some((a) => /^s3:.*Object/i.test(a) || a === 's3:*' || a === '*')) continue;
        if (isWebObjectsGrant(s)) continue;
        for (const r of s.resources.filter((r) => !inStateBucket(r))) {
          problems.push(
            violation(
              'PLAN_ROLE_READS_THE_STATE',
              s,
              i,
              `allows object actions on ${r}, outside the state bucket`,
            ),
          );
        }
      }
      return problems;
    },
  },
  {
    id: 'PLAN_ROLE_SCOPED_RESOURCES',
    description:
      'Every allowed resource is an ARN in the account and region of the stack that names its resources (streamdrop-…) or the state bucket; the few resource types AWS names by generated ids, and actions without resource-level permissions, are listed exceptions with reasons.',
    check(policy) {
      return allows(policy).flatMap(([s, i]) =>
        s.resources.flatMap((r) => {
          const exception = UNNAMED_RESOURCES.find((e) => e.resource === r);
          if (exception) {
            const others = s.actions.filter((a) => !exception.actions.includes(a));
            return others.map((a) =>
              violation(
                'PLAN_ROLE_SCOPED_RESOURCES',
                s,
                i,
                `allows ${a} on ${r}, which is an exception for ${exception.actions.join(', ')} only`,
              ),
            );
          }
          if (r === '*' || !scopedArn(r)) {
            return [
              violation(
                'PLAN_ROLE_SCOPED_RESOURCES',
                s,
                i,
                `allows on ${r}, not an ARN of the stack’s account and region`,
              ),
            ];
          }
          return namesOurs(r)
            ? []
            : [
                violation(
                  'PLAN_ROLE_SCOPED_RESOURCES',
                  s,
                  i,
                  `allows on ${r}, which does not name the stack’s resources (streamdrop-…)`,
                ),
              ];
        }),
      );
    },
  },
  {
    id: 'PLAN_ROLE_DECRYPT_ONLY_THE_STATE',
    description:
      'The only KMS action is kms:Decrypt, and only through S3 (kms:ViaService) for objects of the state bucket (kms:EncryptionContext:aws:s3:arn): what reading a KMS-encrypted state needs.',
    check(policy) {
      return allows(policy).flatMap(([s, i]) => {
        const kms = s.actions.filter((a) => a.toLowerCase().startsWith('kms:') || a === '*');
        if (kms.length === 0) return [];
        const problems: string[] = [];
        for (const a of kms.filter((a) => a !== 'kms:Decrypt'))
          problems.push(`allows ${a}; only kms:Decrypt is needed`);
        const via = s.conditions.find((c) => c.variable === 'kms:ViaService' && c.test === 'StringEquals');
        if (via?.values.join() !== `s3.${PLACEHOLDERS.region}.amazonaws.com`) {
          problems.push(
            `decrypts without a kms:ViaService condition of s3.${PLACEHOLDERS.region}.amazonaws.com`,
          );
        }
        const context = s.conditions.find((c) => c.variable === 'kms:EncryptionContext:aws:s3:arn');
        if (!context || context.values.length === 0 || !context.values.every(inStateBucket)) {
          problems.push('decrypts for objects outside the state bucket (kms:EncryptionContext:aws:s3:arn)');
        }
        return problems.map((m) => violation('PLAN_ROLE_DECRYPT_ONLY_THE_STATE', s, i, m));
      });
    },
  },
  {
    id: 'PLAN_ROLE_COVERS_STACK',
    description:
      'For every resource type and data source of the synthesized stack, the role allows what Terraform calls to refresh it (READ_ACTIONS), so that `terraform plan` works with nothing more.',
    check(policy, stack) {
      const problems: Violation[] = [];
      const at = (message: string): Violation => ({
        rule: 'PLAN_ROLE_COVERS_STACK',
        address: 'plan-role-policy.json',
        message,
      });
      for (const type of Object.keys(stack.resource ?? {}).sort()) {
        const actions = READ_ACTIONS[type];
        if (!actions) {
          problems.push(
            at(
              `does not say what reading ${type} needs: add its read actions to READ_ACTIONS and the policy`,
            ),
          );
          continue;
        }
        for (const action of actions.filter((a) => !granted(policy, a))) {
          problems.push(at(`does not allow ${action}, which refreshing ${type} needs`));
        }
      }
      for (const type of Object.keys(stack.data ?? {}).sort()) {
        if (!LOCAL_DATA_SOURCES.includes(type))
          problems.push(at(`does not say what reading data.${type} needs`));
      }
      return problems;
    },
  },
];

/** Every rule over the policy. */
export function evaluatePlanRole(policy: readonly Statement[], stack: SynthesizedStack): Violation[] {
  return PLAN_ROLE_RULES.flatMap((rule) => rule.check(policy, stack));
}
