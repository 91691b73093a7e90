import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import {
  CreateBucketCommand,
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  PutBucketEncryptionCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutPublicAccessBlockCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { UserError } from '@streamdrop/cli-kit';
import { mockClient } from 'aws-sdk-client-mock';
import { findExecutable, MOTO_SERVER, type MotoServer, startMoto } from '../src/lib/moto';
import { FAKE_CREDENTIALS } from '../src/lib/offline';
import { findRepoRoot } from '../src/lib/paths';
import {
  ensureStateBucket,
  partitionOf,
  STATE_LIFECYCLE_ID,
  stateLifecycleRule,
  TLS_ONLY_SID,
  tlsOnlyStatement,
} from '../src/lib/state-bucket';

// Node 20 is what this project runs on; the SDK's notice about its future support is not news here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

/** An S3 error as the SDK raises it. */
function s3Error(name: string, status: number): S3ServiceException {
  return new S3ServiceException({
    name,
    $fault: 'client',
    $metadata: { httpStatusCode: status },
    message: name,
  });
}

/** The names of the commands that changed something (CreateBucket, Put...), in order. */
function writes(s3: ReturnType<typeof mockClient>): string[] {
  return s3
    .calls()
    .map((call) => (call.args[0] as object).constructor.name)
    .filter((name) => /^(Create|Put)/.test(name));
}

describe('ensureStateBucket (S3 mocked)', () => {
  const s3 = mockClient(S3Client);
  const client = new S3Client({ region: 'eu-west-1' });
  afterEach(() => s3.reset());
  // mockClient replaces every S3Client's send: give the real one back to the moto tests below.
  afterAll(() => s3.restore());

  /** A bucket with every setting already right. */
  function configuredBucket(
    policy = { Version: '2012-10-17', Statement: [tlsOnlyStatement('state', 'eu-west-1')] },
  ) {
    s3.on(HeadBucketCommand).resolves({});
    s3.on(GetBucketVersioningCommand).resolves({ Status: 'Enabled' });
    s3.on(GetBucketEncryptionCommand).resolves({
      ServerSideEncryptionConfiguration: {
        Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
    });
    s3.on(GetPublicAccessBlockCommand).resolves({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
    s3.on(GetBucketOwnershipControlsCommand).resolves({
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
    s3.on(GetBucketLifecycleConfigurationCommand).resolves({ Rules: [stateLifecycleRule()] });
    s3.on(GetBucketPolicyCommand).resolves({ Policy: JSON.stringify(policy) });
  }

  it('creates a missing bucket in its region and sets every protection', async () => {
    s3.on(HeadBucketCommand).rejects(s3Error('NotFound', 404));
    s3.on(GetBucketVersioningCommand).resolves({});
    s3.on(GetBucketEncryptionCommand).rejects(s3Error('ServerSideEncryptionConfigurationNotFoundError', 404));
    s3.on(GetPublicAccessBlockCommand).rejects(s3Error('NoSuchPublicAccessBlockConfiguration', 404));
    s3.on(GetBucketOwnershipControlsCommand).rejects(s3Error('OwnershipControlsNotFoundError', 404));
    s3.on(GetBucketLifecycleConfigurationCommand).rejects(s3Error('NoSuchLifecycleConfiguration', 404));
    s3.on(GetBucketPolicyCommand).rejects(s3Error('NoSuchBucketPolicy', 404));

    const steps = await ensureStateBucket(client, { bucket: 'state', region: 'eu-west-1' });

    expect(steps.map((s) => [s.setting, s.changed])).toEqual([
      ['bucket', true],
      ['versioning', true],
      ['encryption', true],
      ['public access block', true],
      ['object ownership', true],
      ['lifecycle', true],
      ['TLS-only policy', true],
    ]);
    expect(
      s3.commandCalls(PutBucketLifecycleConfigurationCommand)[0]?.args[0].input.LifecycleConfiguration,
    ).toEqual({
      Rules: [
        {
          ID: STATE_LIFECYCLE_ID,
          Status: 'Enabled',
          Filter: { Prefix: '' },
          NoncurrentVersionExpiration: { NoncurrentDays: 90 },
          Expiration: { ExpiredObjectDeleteMarker: true },
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
        },
      ],
    });
    expect(s3.commandCalls(CreateBucketCommand)[0]?.args[0].input).toEqual({
      Bucket: 'state',
      ObjectOwnership: 'BucketOwnerEnforced',
      CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
    });
    expect(s3.commandCalls(PutBucketVersioningCommand)[0]?.args[0].input.VersioningConfiguration).toEqual({
      Status: 'Enabled',
    });
    expect(
      s3.commandCalls(PutPublicAccessBlockCommand)[0]?.args[0].input.PublicAccessBlockConfiguration,
    ).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    const policy = JSON.parse(s3.commandCalls(PutBucketPolicyCommand)[0]?.args[0].input.Policy ?? '{}');
    expect(policy).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: TLS_ONLY_SID,
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: ['arn:aws:s3:::state', 'arn:aws:s3:::state/*'],
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ],
    });
  });

  it('creates a us-east-1 bucket without a location constraint (S3 refuses one there)', async () => {
    s3.on(HeadBucketCommand).rejects(s3Error('NotFound', 404));
    s3.on(GetBucketVersioningCommand).resolves({ Status: 'Enabled' });
    s3.on(GetBucketPolicyCommand).rejects(s3Error('NoSuchBucketPolicy', 404));
    await ensureStateBucket(client, { bucket: 'state', region: 'us-east-1' });
    expect(s3.commandCalls(CreateBucketCommand)[0]?.args[0].input).toEqual({
      Bucket: 'state',
      ObjectOwnership: 'BucketOwnerEnforced',
    });
  });

  it('changes nothing on a bucket that is already set up, and says so', async () => {
    configuredBucket();
    const steps = await ensureStateBucket(client, { bucket: 'state', region: 'eu-west-1' });
    expect(steps.every((s) => !s.changed)).toBe(true);
    expect(writes(s3)).toEqual([]);
  });

  it('fixes only what is missing: suspended versioning and a policy without the TLS statement, keeping its others', async () => {
    const other = {
      Sid: 'AllowCi',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::1:role/ci' },
      Action: 's3:GetObject',
      Resource: 'arn:aws:s3:::state/*',
    };
    configuredBucket({ Version: '2012-10-17', Statement: [other] });
    s3.on(GetBucketVersioningCommand).resolves({ Status: 'Suspended' });

    const steps = await ensureStateBucket(client, { bucket: 'state', region: 'eu-west-1' });

    expect(steps.filter((s) => s.changed).map((s) => [s.setting, s.detail])).toEqual([
      ['versioning', 'enabled (was Suspended)'],
      ['TLS-only policy', 'DenyInsecureTransport added next to 1 other statement(s)'],
    ]);
    const policy = JSON.parse(s3.commandCalls(PutBucketPolicyCommand)[0]?.args[0].input.Policy ?? '{}');
    expect(policy.Statement).toEqual([other, tlsOnlyStatement('state', 'eu-west-1')]);
    expect(s3.commandCalls(PutBucketEncryptionCommand)).toHaveLength(0);
  });

  it('adds its lifecycle rule next to the rules already there, and replaces an outdated one of its own', async () => {
    const other = {
      ID: 'archive',
      Status: 'Enabled' as const,
      Filter: { Prefix: 'archive/' },
      Expiration: { Days: 9 },
    };
    configuredBucket();
    s3.on(GetBucketLifecycleConfigurationCommand).resolves({
      Rules: [other, { ...stateLifecycleRule(), NoncurrentVersionExpiration: { NoncurrentDays: 3 } }],
    });
    const steps = await ensureStateBucket(client, { bucket: 'state', region: 'eu-west-1' });
    expect(steps.filter((s) => s.changed).map((s) => [s.setting, s.detail])).toEqual([
      ['lifecycle', 'old versions and released locks expire after 90 days (next to 1 other rule(s))'],
    ]);
    expect(
      s3.commandCalls(PutBucketLifecycleConfigurationCommand)[0]?.args[0].input.LifecycleConfiguration?.Rules,
    ).toEqual([other, stateLifecycleRule()]);
  });

  it('leaves the bucket policy alone over plain http, where a TLS-only policy would refuse every request', async () => {
    configuredBucket({ Version: '2012-10-17', Statement: [] });
    const steps = await ensureStateBucket(client, { bucket: 'state', region: 'eu-west-1', tlsOnly: false });
    expect(steps.at(-1)).toEqual({
      setting: 'TLS-only policy',
      changed: false,
      skipped: true,
      detail:
        'not set: this endpoint is plain http, and the policy would refuse every request made through it',
    });
    expect(writes(s3)).toEqual([]);
    expect(s3.commandCalls(GetBucketPolicyCommand)).toHaveLength(0);
  });

  it('keeps a KMS default encryption someone chose', async () => {
    configuredBucket();
    s3.on(GetBucketEncryptionCommand).resolves({
      ServerSideEncryptionConfiguration: {
        Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } }],
      },
    });
    const steps = await ensureStateBucket(client, { bucket: 'state', region: 'eu-west-1' });
    expect(steps.find((s) => s.setting === 'encryption')).toEqual({
      setting: 'encryption',
      changed: false,
      detail: 'already aws:kms',
    });
  });

  it('stops on a bucket owned by someone else, or in another region, with what to do', async () => {
    s3.on(HeadBucketCommand).rejects(s3Error('Forbidden', 403));
    await expect(ensureStateBucket(client, { bucket: 'taken', region: 'eu-west-1' })).rejects.toThrow(
      new UserError(
        'bucket taken exists but these credentials cannot use it (another account owns it, or s3:ListBucket is not allowed). Pick another name with --bucket.',
      ),
    );
    s3.on(HeadBucketCommand).rejects(s3Error('PermanentRedirect', 301));
    await expect(ensureStateBucket(client, { bucket: 'state', region: 'eu-west-1' })).rejects.toThrow(
      'bucket state is in another region than eu-west-1: pass its region with --region.',
    );
    expect(writes(s3)).toEqual([]);
  });

  it('names ARNs in the partition of the region', () => {
    expect(partitionOf('eu-west-1')).toBe('aws');
    expect(partitionOf('cn-north-1')).toBe('aws-cn');
    expect(partitionOf('us-gov-west-1')).toBe('aws-us-gov');
    expect(tlsOnlyStatement('b', 'cn-north-1').Resource).toEqual([
      'arn:aws-cn:s3:::b',
      'arn:aws-cn:s3:::b/*',
    ]);
  });
});

const root = findRepoRoot(__dirname);

/** `pnpm state:bootstrap` as a user runs it, against `endpoint`. */
function bootstrap(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(
    process.execPath,
    ['--import', 'tsx', join('scripts', 'src', 'state-bootstrap.ts'), ...args],
    {
      cwd: root,
      encoding: 'utf8',
      env: {
        ...process.env,
        AWS_ACCESS_KEY_ID: FAKE_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: FAKE_CREDENTIALS.secretAccessKey,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ...env,
      },
      timeout: 60_000,
    },
  );
}

describe('pnpm state:bootstrap', () => {
  it('asks for a bucket when given none', () => {
    const result = bootstrap([], { STREAMDROP_STATE_BUCKET: '' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      'error: which bucket? Pass --bucket <name> or set STREAMDROP_STATE_BUCKET',
    );
  }, 30_000);

  it('refuses an invalid bucket name or region before calling AWS', () => {
    expect(bootstrap(['--bucket', 'Not_A_Bucket']).stderr).toContain(
      'error: "Not_A_Bucket" is not a valid S3 bucket name',
    );
    expect(bootstrap(['--bucket', 'ok-bucket', '--region', 'mars']).stderr).toContain(
      'error: "mars" is not an AWS region such as eu-west-1',
    );
  }, 30_000);
});

// moto implements versioning, encryption, public access blocks, ownership controls and bucket
// policies: the real S3 API, end to end. A machine without moto_server runs the tests above.
const moto = findExecutable(MOTO_SERVER);
if (moto) {
  describe('pnpm state:bootstrap against moto_server', () => {
    let server: MotoServer;
    beforeAll(async () => {
      server = await startMoto({ bin: moto });
    }, 60_000);
    afterAll(() => server?.stop());

    it('sets the bucket up on the first run, changes nothing on the second and says so', async () => {
      const first = bootstrap(['--endpoint-url', server.url], {
        STREAMDROP_STATE_BUCKET: 'streamdrop-test-state',
        STREAMDROP_STATE_REGION: 'eu-west-1',
      });
      expect(first.stderr).toBe('');
      expect(first.status).toBe(0);
      expect(first.stdout).toContain(
        'changed bucket               streamdrop-test-state created in eu-west-1',
      );
      expect(first.stdout).toMatch(/\d change\(s\) made; streamdrop-test-state is ready\./);
      expect(first.stdout).toContain(
        'skipped TLS-only policy      not set: this endpoint is plain http, and the policy would refuse every request made through it',
      );

      const second = bootstrap([
        '--endpoint-url',
        server.url,
        '--bucket',
        'streamdrop-test-state',
        '--region',
        'eu-west-1',
      ]);
      expect(second.status).toBe(0);
      expect(second.stdout).not.toContain('changed ');
      expect(second.stdout).toContain('nothing changed: streamdrop-test-state was already set up.');

      // What S3 itself now says about the bucket.
      const s3 = new S3Client({
        endpoint: server.url,
        region: 'eu-west-1',
        forcePathStyle: true,
        credentials: FAKE_CREDENTIALS,
      });
      try {
        const Bucket = 'streamdrop-test-state';
        expect((await s3.send(new GetBucketVersioningCommand({ Bucket }))).Status).toBe('Enabled');
        const encryption = await s3.send(new GetBucketEncryptionCommand({ Bucket }));
        expect(
          encryption.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault
            ?.SSEAlgorithm,
        ).toBe('AES256');
        expect(
          (await s3.send(new GetPublicAccessBlockCommand({ Bucket }))).PublicAccessBlockConfiguration,
        ).toEqual({
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        });
        const lifecycle = await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket }));
        expect(lifecycle.Rules).toEqual([expect.objectContaining(stateLifecycleRule())]);
        // Plain http to moto: the TLS-only policy would refuse Terraform's own state reads there.
        await expect(s3.send(new GetBucketPolicyCommand({ Bucket }))).rejects.toMatchObject({
          name: 'NoSuchBucketPolicy',
        });
      } finally {
        s3.destroy();
      }
    }, 120_000);
  });
}
