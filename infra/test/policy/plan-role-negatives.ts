/**
 * For every plan-role rule, deliberately bad versions of the real policy that it must report:
 * each breaks one thing, with the message the violation must carry. A rule without an entry here
 * fails plan-role.test.ts.
 */
import type { Statement } from './terraform';

export type PolicyBreakage = (policy: Statement[]) => void;
export type PlanRoleNegative = [label: string, breakage: PolicyBreakage, message: RegExp];

const allow = (actions: string[], resources: string[], sid = 'Broken'): Statement => ({
  sid,
  effect: 'Allow',
  actions,
  notActions: [],
  resources,
  notResources: [],
  principals: [],
  notPrincipals: [],
  conditions: [],
});

/** The statement of `sid`, to change in place. */
const statement = (policy: Statement[], sid: string): Statement => {
  const found = policy.find((s) => s.sid === sid);
  if (!found) throw new Error(`the plan role policy has no statement ${sid}`);
  return found;
};

const drop = (policy: Statement[], sid: string) => {
  policy.splice(policy.indexOf(statement(policy, sid)), 1);
};

export const PLAN_ROLE_NEGATIVES: Record<string, PlanRoleNegative[]> = {
  PLAN_ROLE_READ_ONLY: [
    [
      'a write to the lock (what a locking plan needs)',
      (p) => {
        statement(p, 'ReadTheStateAndItsLock').actions.push('s3:PutObject', 's3:DeleteObject');
      },
      /allows s3:PutObject, which is not a read/,
    ],
    [
      'the whole of ReadOnlyAccess’s spirit: "*"',
      (p) => p.push(allow(['*'], ['*'])),
      /allows \*, which is not a read/,
    ],
    [
      'an Allow with NotAction',
      (p) => p.push({ ...allow([], ['*']), notActions: ['iam:*'] }),
      /allows everything but its NotAction/,
    ],
  ],
  PLAN_ROLE_NO_DATA_READS: [
    [
      'GetObject on the data buckets',
      (p) => p.push(allow(['s3:GetObject'], ['arn:aws:s3:::streamdrop-*/*'])),
      /allows s3:GetObject on arn:aws:s3:::streamdrop-\*\/\*: it reads the uploads/,
    ],
    [
      'a wildcard that reads the stream’s records',
      (p) => {
        statement(p, 'DescribeTheStream').actions.push('kinesis:Get*');
      },
      /allows kinesis:GetRecords on .*: it reads the upload events/,
    ],
    [
      'a wildcard that lists the users',
      (p) => {
        statement(p, 'DescribeTheUserPool').actions.push('cognito-idp:List*');
      },
      /allows cognito-idp:ListUsers on .*: it reads every user/,
    ],
    [
      'no Deny of the data reads',
      (p) => drop(p, 'NeverReadTheData'),
      /no Deny of logs:GetLogEvents on everything but the state/,
    ],
    [
      "the web client's files without their tag: any object of a bucket that matches the name",
      (p) => {
        statement(p, 'ReadTheWebClientsFiles').conditions = [];
      },
      /allows s3:GetObject on arn:aws:s3:::streamdrop-\*-web-\*\/\*: it reads the uploads/,
    ],
    [
      "the web client's tag on every bucket of the stack",
      (p) => {
        statement(p, 'ReadTheWebClientsFiles').resources = ['arn:aws:s3:::streamdrop-*/*'];
      },
      /allows s3:GetObject on arn:aws:s3:::streamdrop-\*\/\*: it reads the uploads/,
    ],
    [
      'a Deny that spares the data buckets',
      (p) => {
        statement(p, 'NeverReadTheData').notResources.push('arn:aws:s3:::streamdrop-*/*');
      },
      /no Deny of s3:GetObject on everything but the state/,
    ],
  ],
  PLAN_ROLE_READS_THE_STATE: [
    [
      'no read of the state',
      (p) => drop(p, 'ReadTheStateAndItsLock'),
      /does not allow s3:GetObject on arn:aws:s3:::STATE_BUCKET\/streamdrop\/dev\/terraform\.tfstate$/,
    ],
    [
      'the state but not its lock',
      (p) => {
        statement(p, 'ReadTheStateAndItsLock').resources.pop();
      },
      /does not allow s3:GetObject on .*terraform\.tfstate\.tflock/,
    ],
    [
      'no listing of the state bucket',
      (p) => drop(p, 'ListTheStateBucket'),
      /does not allow s3:ListBucket on arn:aws:s3:::STATE_BUCKET$/,
    ],
    [
      "the web client's files, untagged",
      (p) => {
        statement(p, 'ReadTheWebClientsFiles').conditions = [];
      },
      /allows object actions on arn:aws:s3:::streamdrop-\*-web-\*\/\*, outside the state bucket/,
    ],
    [
      'object reads in another bucket',
      (p) => p.push(allow(['s3:GetObjectTagging'], ['arn:aws:s3:::streamdrop-dev-data-1/*'])),
      /allows object actions on arn:aws:s3:::streamdrop-dev-data-1\/\*, outside the state bucket/,
    ],
  ],
  PLAN_ROLE_SCOPED_RESOURCES: [
    [
      'a "*" resource',
      (p) => {
        statement(p, 'DescribeTheRoles').resources = ['*'];
      },
      /allows iam:GetRole on \*, which is an exception for cognito-idp:DescribeUserPoolDomain only/,
    ],
    [
      'every role of the account',
      (p) => {
        statement(p, 'DescribeTheRoles').resources = ['arn:aws:iam::ACCOUNT_ID:role/*'];
      },
      /does not name the stack’s resources/,
    ],
    [
      'another region',
      (p) => {
        statement(p, 'DescribeTheStream').resources = [
          'arn:aws:kinesis:eu-west-1:ACCOUNT_ID:stream/streamdrop-*',
        ];
      },
      /not an ARN of the stack’s account and region/,
    ],
    [
      'alarms of every region (only dashboards are global)',
      (p) => {
        statement(p, 'DescribeTheAlarms').resources = ['arn:aws:cloudwatch::ACCOUNT_ID:alarm:streamdrop-*'];
      },
      /not an ARN of the stack’s account and region/,
    ],
    [
      'an exception used for another action',
      (p) => {
        statement(p, 'DescribeTheUserPoolDomain').actions.push('cognito-idp:DescribeUserPool');
      },
      /allows cognito-idp:DescribeUserPool on \*, which is an exception for cognito-idp:DescribeUserPoolDomain only/,
    ],
  ],
  PLAN_ROLE_DECRYPT_ONLY_THE_STATE: [
    [
      'a decrypt without conditions',
      (p) => {
        statement(p, 'DecryptTheStateIfItsBucketUsesKms').conditions = [];
      },
      /decrypts without a kms:ViaService condition/,
    ],
    [
      'a decrypt for the data buckets too',
      (p) => {
        const context = statement(p, 'DecryptTheStateIfItsBucketUsesKms').conditions.find(
          (c) => c.variable === 'kms:EncryptionContext:aws:s3:arn',
        );
        context?.values.push('arn:aws:s3:::streamdrop-*');
      },
      /decrypts for objects outside the state bucket/,
    ],
    [
      'a key that encrypts too',
      (p) => {
        statement(p, 'DecryptTheStateIfItsBucketUsesKms').actions.push('kms:GenerateDataKey');
      },
      /allows kms:GenerateDataKey; only kms:Decrypt is needed/,
    ],
  ],
  PLAN_ROLE_COVERS_STACK: [
    [
      'no read of the stream',
      (p) => drop(p, 'DescribeTheStream'),
      /does not allow kinesis:DescribeStreamSummary, which refreshing aws_kinesis_stream needs/,
    ],
    [
      'no HeadBucket (s3:ListBucket) on the buckets',
      (p) => {
        const s = statement(p, 'DescribeTheBuckets');
        s.actions = s.actions.filter((a) => a !== 's3:ListBucket');
        drop(p, 'ListTheStateBucket');
      },
      /does not allow s3:ListBucket, which refreshing aws_s3_bucket needs/,
    ],
  ],
};
