import { KinesisStream } from '@cdktf/provider-aws/lib/kinesis-stream';
import { resourcesOf, synth } from './helpers';

describe('stream', () => {
  const { json, tf } = synth();

  it('is one stream named after the stage', () => {
    expect(Object.values(resourcesOf(tf, 'aws_kinesis_stream')).map((s) => s.name)).toEqual([
      'streamdrop-dev-uploads',
    ]);
  });

  it('scales on demand, so no shard count is set', () => {
    expect(json).toHaveResourceWithProperties(KinesisStream, {
      stream_mode_details: { stream_mode: 'ON_DEMAND' },
    });
    expect(Object.values(resourcesOf(tf, 'aws_kinesis_stream'))[0]).not.toHaveProperty('shard_count');
  });

  it('is encrypted with the AWS-managed Kinesis key', () => {
    expect(json).toHaveResourceWithProperties(KinesisStream, {
      encryption_type: 'KMS',
      kms_key_id: 'alias/aws/kinesis',
    });
  });

  it('keeps records for 24 hours', () => {
    expect(json).toHaveResourceWithProperties(KinesisStream, { retention_period: 24 });
  });
});
