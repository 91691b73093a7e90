import { join } from 'node:path';
import { LambdaEventSourceMapping } from '@cdktf/provider-aws/lib/lambda-event-source-mapping';
import { Construct } from 'constructs';
import type { EventSourceConfig } from './config';
import { type Binding, NodeFunction } from './lambda-function';
import { bucketBinding, IDEMPOTENCY_PREFIX, PROCESSED_PREFIX, type Storage, UPLOADS_PREFIX } from './storage';
import type { Stream } from './stream';

export interface FunctionsOptions {
  readonly stage: string;
  /** Folder holding `upload/` and `processor/` esbuild outputs. */
  readonly bundlesDir: string;
  readonly storage: Storage;
  readonly stream: Stream;
  readonly logRetentionDays: number;
  readonly maxUploadBytes: number;
  readonly processorConcurrency: number;
  readonly eventSource: EventSourceConfig;
  /** Name of the Cognito group allowed to use the streams proxy. */
  readonly adminGroupName: string;
  /** Further streams the proxy may use (ARNs); the pipeline's stream is always allowed. */
  readonly proxyStreamArns: readonly string[];
}

/**
 * The two functions of the pipeline and the event source mapping between the stream and the
 * processor. Each grant names exact ARNs (object prefixes, the stream, its own log group).
 */
export class Functions extends Construct {
  readonly upload: NodeFunction;
  readonly processor: NodeFunction;
  readonly streams: NodeFunction;
  readonly eventSourceMapping: LambdaEventSourceMapping;

  constructor(scope: Construct, id: string, options: FunctionsOptions) {
    super(scope, id);
    const { storage, stream, stage } = options;

    this.upload = new NodeFunction(this, 'upload', {
      name: `streamdrop-${stage}-upload`,
      description: 'POST /uploads: stores the file under uploads/ and publishes an upload event',
      bundleDir: join(options.bundlesDir, 'upload'),
      timeoutSeconds: 10,
      memoryMb: 256,
      logRetentionDays: options.logRetentionDays,
      environment: {
        MAX_UPLOAD_BYTES: String(options.maxUploadBytes),
        POWERTOOLS_SERVICE_NAME: 'streamdrop-upload',
      },
      bindings: [
        // Delete is the rollback when the Kinesis put fails after the object was stored.
        bucketBinding('DATA_BUCKET', storage.data, [
          {
            sid: 'WriteUploads',
            prefix: UPLOADS_PREFIX,
            actions: ['s3:PutObject', 's3:DeleteObject', 's3:DeleteObjectVersion'],
          },
          // Idempotency-Key records: read, claim, complete, release.
          {
            sid: 'IdempotencyRecords',
            prefix: IDEMPOTENCY_PREFIX,
            actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
          },
        ]),
        // So that reading an absent idempotency record is a 404, not a 403.
        { grants: [{ sid: 'ListDataBucket', actions: ['s3:ListBucket'], resources: [storage.data.arn] }] },
        stream.producerBinding('STREAM_NAME'),
      ],
    });

    this.processor = new NodeFunction(this, 'processor', {
      name: `streamdrop-${stage}-processor`,
      description: 'Kinesis consumer: turns each upload into its processed/ twin',
      bundleDir: join(options.bundlesDir, 'processor'),
      timeoutSeconds: 60,
      memoryMb: 512,
      logRetentionDays: options.logRetentionDays,
      environment: {
        PROCESSOR_CONCURRENCY: String(options.processorConcurrency),
        POWERTOOLS_SERVICE_NAME: 'streamdrop-processor',
      },
      bindings: [
        stream.consumerBinding(),
        // HeadObject is authorized by s3:GetObject, hence GetObject on processed/ (idempotency check).
        bucketBinding('DATA_BUCKET', storage.data, [
          { sid: 'ReadUploads', prefix: UPLOADS_PREFIX, actions: ['s3:GetObject'] },
          { sid: 'WriteProcessed', prefix: PROCESSED_PREFIX, actions: ['s3:GetObject', 's3:PutObject'] },
        ]),
        failureDestinationBinding(storage),
        // Without ListBucket, S3 answers HeadObject/GetObject on a missing key with 403 instead
        // of 404: the processor would take a missing upload for a transient error and retry it
        // until the record expires, instead of recording a permanent failure.
        { grants: [{ sid: 'ListDataBucket', actions: ['s3:ListBucket'], resources: [storage.data.arn] }] },
      ],
    });

    // The administrators' Kinesis proxy. ListStreams cannot be scoped to a stream (it has no
    // resource ARN), so it is the stack's one "*" resource; the function filters the answer
    // down to the allowed streams, and every other action names their ARNs.
    const proxyArns = [stream.arn, ...options.proxyStreamArns];
    const proxyNames = [
      stream.name,
      ...options.proxyStreamArns.map((arn) => arn.slice(arn.indexOf(':stream/') + 8)),
    ];
    this.streams = new NodeFunction(this, 'streams', {
      name: `streamdrop-${stage}-streams`,
      description: 'Kinesis proxy for administrators: GET /streams, GET /streams/{name}, PUT record(s)',
      bundleDir: join(options.bundlesDir, 'streams'),
      timeoutSeconds: 10,
      memoryMb: 256,
      logRetentionDays: options.logRetentionDays,
      environment: {
        ADMIN_GROUP: options.adminGroupName,
        ALLOWED_STREAMS: proxyNames.join(','),
        POWERTOOLS_SERVICE_NAME: 'streamdrop-streams',
      },
      bindings: [
        {
          grants: [
            { sid: 'ListStreams', actions: ['kinesis:ListStreams'], resources: ['*'] },
            {
              sid: 'ProxyAllowedStreams',
              actions: [
                'kinesis:DescribeStream',
                'kinesis:DescribeStreamSummary',
                'kinesis:PutRecord',
                'kinesis:PutRecords',
              ],
              resources: proxyArns,
            },
          ],
        },
      ],
    });

    const es = options.eventSource;
    this.eventSourceMapping = new LambdaEventSourceMapping(this, 'event-source', {
      eventSourceArn: stream.arn,
      functionName: this.processor.arn,
      startingPosition: es.startingPosition,
      batchSize: es.batchSize,
      maximumBatchingWindowInSeconds: es.maxBatchingWindowSeconds,
      parallelizationFactor: es.parallelizationFactor,
      functionResponseTypes: ['ReportBatchItemFailures'],
      bisectBatchOnFunctionError: true,
      maximumRetryAttempts: es.maxRetryAttempts,
      maximumRecordAgeInSeconds: es.maxRecordAgeSeconds,
      // An S3 destination receives the whole invocation record (SQS/SNS only the shard and
      // sequence range), so a failed batch can be inspected and redriven from the bucket alone.
      destinationConfig: { onFailure: { destinationArn: storage.failures.arn } },
    });
  }
}

/**
 * The processor writes its own failure records under the failures bucket, and Lambda writes the
 * on-failure invocation records with the function's role: S3 destinations need s3:PutObject on
 * the objects and s3:ListBucket on the bucket.
 */
function failureDestinationBinding(storage: Storage): Binding {
  const failures = bucketBinding('FAILURES_BUCKET', storage.failures, [
    { sid: 'WriteFailureRecords', actions: ['s3:PutObject'] },
  ]);
  return {
    ...failures,
    grants: [
      ...(failures.grants ?? []),
      { sid: 'ListFailuresBucket', actions: ['s3:ListBucket'], resources: [storage.failures.arn] },
    ],
  };
}
