import { isAbsolute, join, relative, resolve } from 'node:path';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { synth } from './helpers';

describe('StreamdropStack', () => {
  const { stack, json, tf, config } = synth();

  it('is named streamdrop-<stage>', () => {
    expect(stack.node.id).toBe('streamdrop-dev');
    expect(synth({ STREAMDROP_STAGE: 'qa' }).stack.node.id).toBe('streamdrop-qa');
  });

  it('pins the AWS provider to 5.100.0, the version in the offline mirror', () => {
    expect(tf.terraform.required_providers.aws).toEqual({ source: 'aws', version: '5.100.0' });
  });

  it('configures the provider region and tags everything with project and stage', () => {
    expect(json).toHaveProviderWithProperties(AwsProvider, {
      region: 'us-east-1',
      default_tags: [{ tags: { project: 'streamdrop', stage: 'dev' } }],
    });
    expect(synth({ AWS_REGION: 'eu-central-1' }).json).toHaveProviderWithProperties(AwsProvider, {
      region: 'eu-central-1',
    });
  });

  it('exports every output the local runtime, the CLI and the deploy docs need', () => {
    expect(Object.keys(tf.output).sort()).toEqual(
      [
        'api_url',
        'region',
        'user_pool_id',
        'user_pool_client_id',
        'cognito_issuer',
        'hosted_ui_domain',
        'admin_group',
        'data_bucket',
        'failures_bucket',
        'stream_name',
        'stream_arn',
        'upload_function_name',
        'processor_function_name',
        'streams_function_name',
        'alarm_topic_arn',
        'web_url',
      ].sort(),
    );
  });

  it('outputs known values where they are known at plan time', () => {
    expect(tf.output.region?.value).toBe('us-east-1');
    expect(tf.output.hosted_ui_domain?.value).toMatch(
      /^\$\{aws_cognito_user_pool_domain\.[^.]+\.domain\}\.auth\.us-east-1\.amazoncognito\.com$/,
    );
    expect(tf.output.api_url?.value).toMatch(/^\$\{aws_apigatewayv2_api\.[^.]+\.api_endpoint\}$/);
  });

  describe('local state (default)', () => {
    const path = tf.terraform.backend.local?.path as string;
    const stackDir = join(config.outdir, 'stacks', config.stackName);

    it('uses a relative path, the same on every machine', () => {
      expect(isAbsolute(path)).toBe(false);
      expect(path).toBe('../../../.state/streamdrop-dev.tfstate');
    });

    it('keeps the state outside the synth output, in <repo>/.state', () => {
      const absolute = resolve(stackDir, path);
      expect(relative(config.outdir, absolute).startsWith('..')).toBe(true);
      expect(absolute).toBe(join(config.state.dir, 'streamdrop-dev.tfstate'));
    });

    it('follows a custom synth output folder', () => {
      const custom = synth({ CDKTF_OUTDIR: '/elsewhere/out' });
      const customPath = custom.tf.terraform.backend.local?.path as string;
      expect(resolve('/elsewhere/out/stacks/streamdrop-dev', customPath)).toBe(
        join(custom.config.state.dir, 'streamdrop-dev.tfstate'),
      );
    });
  });

  describe('S3 state (STREAMDROP_STATE_BUCKET)', () => {
    const { tf: remote } = synth({ STREAMDROP_STATE_BUCKET: 'acme-tf-state', AWS_REGION: 'eu-west-1' });

    it('stores the state per stage, encrypted, in the bucket', () => {
      expect(remote.terraform.backend).toEqual({
        s3: {
          bucket: 'acme-tf-state',
          key: 'streamdrop/dev/terraform.tfstate',
          region: 'eu-west-1',
          encrypt: true,
          use_lockfile: true,
        },
      });
    });
  });
});
