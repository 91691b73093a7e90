import { S3Client } from '@aws-sdk/client-s3';
import { command, stringFlag, UserError } from '@streamdrop/cli-kit';
import { endpointOf, isPlainHttp } from './lib/endpoint';
import { ensureStateBucket } from './lib/state-bucket';

/** The rule infra's config applies to STREAMDROP_STATE_BUCKET. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;

command(
  {
    usage: 'pnpm state:bootstrap [--bucket <name>] [--region <region>] [--endpoint-url <url>]',
    summary:
      'Creates (or completes) the S3 bucket that holds Terraform state: versioning, default encryption, all public access blocked, ACLs off, old versions and released locks expiring after 90 days, and a TLS-only bucket policy. Safe to run again: it changes only what is missing and says so.',
    flags: {
      bucket: { type: 'string', description: 'state bucket name (default STREAMDROP_STATE_BUCKET)' },
      region: {
        type: 'string',
        description: 'its region (default STREAMDROP_STATE_REGION, else AWS_REGION, else us-east-1)',
      },
      'endpoint-url': {
        type: 'string',
        description:
          'an S3 endpoint instead of AWS, e.g. an emulator such as moto or LocalStack (default AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL)',
      },
    },
    notes: [
      'Uses your AWS credentials (AWS_PROFILE, SSO, ...). The stack then keeps its state at',
      'streamdrop/<stage>/terraform.tfstate in this bucket, locked with an S3 lock file (use_lockfile).',
      'Over a plain-http endpoint (an emulator) the TLS-only policy is skipped: it would refuse every request.',
    ],
  },
  async (args) => {
    const env = process.env;
    const bucket = stringFlag(args, 'bucket') ?? env.STREAMDROP_STATE_BUCKET?.trim();
    if (!bucket) {
      throw new UserError('which bucket? Pass --bucket <name> or set STREAMDROP_STATE_BUCKET (see --help)');
    }
    if (!BUCKET_NAME.test(bucket)) throw new UserError(`"${bucket}" is not a valid S3 bucket name`);
    const region =
      stringFlag(args, 'region') ??
      (env.STREAMDROP_STATE_REGION?.trim() ||
        env.AWS_REGION?.trim() ||
        env.AWS_DEFAULT_REGION?.trim() ||
        'us-east-1');
    if (!REGION.test(region)) throw new UserError(`"${region}" is not an AWS region such as eu-west-1`);
    const endpoint = endpointOf(stringFlag(args, 'endpoint-url'), env, 'S3');

    const s3 = new S3Client({ region, ...(endpoint ? { endpoint, forcePathStyle: true } : {}) });
    try {
      console.log(`state bucket ${bucket} (${region})${endpoint ? ` at ${endpoint}` : ''}`);
      const steps = await ensureStateBucket(s3, { bucket, region, tlsOnly: !isPlainHttp(endpoint) });
      const width = Math.max(...steps.map((s) => s.setting.length));
      for (const step of steps) {
        console.log(
          `  ${step.changed ? 'changed ' : step.skipped ? 'skipped ' : 'ok      '}${step.setting.padEnd(width)}  ${step.detail}`,
        );
      }
      const changed = steps.filter((s) => s.changed).length;
      console.log(
        changed === 0
          ? `nothing changed: ${bucket} was already set up.`
          : `${changed} change(s) made; ${bucket} is ready.`,
      );
      console.log(`use it with: export STREAMDROP_STATE_BUCKET=${bucket} STREAMDROP_STATE_REGION=${region}`);
      return 0;
    } catch (error) {
      if (error instanceof UserError) throw error;
      const e = error as { name?: string; message?: string };
      if (e?.name === 'CredentialsProviderError') {
        throw new UserError(`no AWS credentials: ${e.message} (configure AWS_PROFILE, SSO or access keys)`);
      }
      throw error;
    } finally {
      s3.destroy();
    }
  },
);
