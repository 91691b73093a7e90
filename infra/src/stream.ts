import { KinesisStream } from '@cdktf/provider-aws/lib/kinesis-stream';
import { STREAM, stackName } from '@streamdrop/config';
import { Construct } from 'constructs';
import type { Binding } from './lambda-function';

export interface StreamOptions {
  readonly stage: string;
  readonly retentionHours?: number;
}

/**
 * The upload-event stream. ON_DEMAND scales shards with traffic (no capacity to plan), and the
 * AWS-managed key `alias/aws/kinesis` encrypts at rest without key policies to maintain: its key
 * policy already lets principals of the account that may use the stream encrypt and decrypt
 * through Kinesis, so producers and consumers need no kms:* permission.
 */
export class Stream extends Construct {
  readonly stream: KinesisStream;
  /** How long Kinesis keeps a record, in hours (a number, where the resource's attribute is a token). */
  readonly retentionHours: number;

  constructor(scope: Construct, id: string, options: StreamOptions) {
    super(scope, id);
    this.retentionHours = options.retentionHours ?? STREAM.retentionHours;
    this.stream = new KinesisStream(this, 'stream', {
      name: `${stackName(options.stage)}-uploads`,
      streamModeDetails: { streamMode: 'ON_DEMAND' },
      encryptionType: 'KMS',
      kmsKeyId: 'alias/aws/kinesis',
      retentionPeriod: this.retentionHours,
    });
  }

  get name(): string {
    return this.stream.name;
  }

  get arn(): string {
    return this.stream.arn;
  }

  /** What a producer needs: the stream's name in `envName` and kinesis:PutRecord on it. */
  producerBinding(envName: string): Binding {
    return {
      env: { [envName]: this.name },
      grants: [{ sid: 'PutUploadEvents', actions: ['kinesis:PutRecord'], resources: [this.arn] }],
    };
  }

  /** What Lambda's event source mapping needs to read the stream with the function's role. */
  consumerBinding(): Binding {
    return {
      grants: [
        {
          sid: 'ReadUploadEvents',
          actions: [
            'kinesis:DescribeStream',
            'kinesis:DescribeStreamSummary',
            'kinesis:GetRecords',
            'kinesis:GetShardIterator',
            'kinesis:ListShards',
            'kinesis:SubscribeToShard',
          ],
          resources: [this.arn],
        },
      ],
    };
  }
}
