import { join } from 'node:path';
import { LambdaEventSourceMapping } from '@cdktf/provider-aws/lib/lambda-event-source-mapping';
import {
  FUNCTION_ENV,
  FUNCTION_IDS,
  type FunctionId,
  functionName,
  KEY_PREFIXES,
  metricsNamespace,
  PROCESSOR_SIZING,
  processorTimeoutSeconds,
  serviceName,
  type TransformName,
} from '@streamdrop/config';
import { Construct } from 'constructs';
import type { EventSourceConfig } from './config';
import { type Binding, NodeFunction } from './lambda-function';
import { bucketBinding, type Storage } from './storage';
import type { Stream } from './stream';
import type { UploadsTable } from './uploads-table';

export interface FunctionsOptions {
  readonly stage: string;
  /** Folder holding one esbuild output folder per function: `upload/`, `processor/`, `streams/`. */
  readonly bundlesDir: string;
  readonly storage: Storage;
  readonly stream: Stream;
  readonly uploadsTable: UploadsTable;
  readonly logRetentionDays: number;
  readonly maxUploadBytes: number;
  /** How long an Idempotency-Key replays its first response (Storage expires the records after it). */
  readonly idempotencyTtlSeconds: number;
  readonly processorConcurrency: number;
  /** The processor's transform, by name. */
  readonly transform: TransformName;
  readonly eventSource: EventSourceConfig;
  /** Name of the Cognito group allowed to use the streams proxy. */
  readonly adminGroupName: string;
  /** Further streams the proxy may use (ARNs); the pipeline's stream is always allowed. */
  readonly proxyStreamArns: readonly string[];
  /** The largest upload session; the processor's timeout is sized for it. */
  readonly maxDirectUploadBytes: number;
  /** How long a session's presigned PUT URLs stay valid. */
  readonly uploadUrlTtlSeconds: number;
}

/**
 * The three functions — upload, the stream processor and the administrators' streams proxy —
 * and the event source mapping between the stream and the processor. Each grant names exact
 * ARNs (object prefixes, the stream, its own log group); each variable is set by its
 * FUNCTION_ENV name, the one the function reads.
 */
export class Functions extends Construct {
  readonly upload: NodeFunction;
  readonly processor: NodeFunction;
  readonly streams: NodeFunction;
  readonly eventSourceMapping: LambdaEventSourceMapping;

  constructor(scope: Construct, id: string, options: FunctionsOptions) {
    super(scope, id);
    const { storage, stream, stage } = options;
    const naming = (fn: FunctionId) => ({
      name: functionName(stage, fn),
      bundleDir: join(options.bundlesDir, fn),
      logRetentionDays: options.logRetentionDays,
    });

    const table = options.uploadsTable;
    this.upload = new NodeFunction(this, FUNCTION_IDS.upload, {
      ...naming(FUNCTION_IDS.upload),
      description: 'The uploads API: inline uploads, upload sessions straight to S3, status, list, delete',
      // Complete of a large multipart upload waits for S3 to assemble it: as long as the API allows.
      timeoutSeconds: 29,
      memoryMb: 256,
      environment: {
        [FUNCTION_ENV.maxUploadBytes]: String(options.maxUploadBytes),
        [FUNCTION_ENV.idempotencyTtlSeconds]: String(options.idempotencyTtlSeconds),
        [FUNCTION_ENV.maxDirectUploadBytes]: String(options.maxDirectUploadBytes),
        [FUNCTION_ENV.uploadUrlTtlSeconds]: String(options.uploadUrlTtlSeconds),
        [FUNCTION_ENV.serviceName]: serviceName(FUNCTION_IDS.upload),
        [FUNCTION_ENV.metricsNamespace]: metricsNamespace(stage),
      },
      bindings: [
        // Delete is the rollback when the Kinesis put fails after the object was stored, and what
        // DELETE /uploads/{id} does. A PutObject with Tagging (stored pending) needs
        // s3:PutObjectTagging too; marking the stored version complete needs
        // s3:PutObjectVersionTagging (PutObjectTagging without a version id, on an unversioned
        // bucket, s3:PutObjectTagging). PutObject also covers the multipart upload of a session
        // (create, complete) and signs its presigned PUTs; the function never reads an upload.
        bucketBinding(FUNCTION_ENV.dataBucket, storage.data, [
          {
            sid: 'WriteUploads',
            prefix: KEY_PREFIXES.uploads,
            actions: [
              's3:PutObject',
              's3:PutObjectTagging',
              's3:PutObjectVersionTagging',
              's3:DeleteObject',
              's3:DeleteObjectVersion',
            ],
          },
          // Complete lists a session's parts; delete aborts a session's open multipart upload.
          {
            sid: 'UploadSessions',
            prefix: KEY_PREFIXES.uploads,
            actions: ['s3:ListMultipartUploadParts', 's3:AbortMultipartUpload'],
          },
          // GET /uploads/{id} signs the download of the processed object; DELETE removes it.
          {
            sid: 'ProcessedDownloadsAndDeletes',
            prefix: KEY_PREFIXES.processed,
            actions: ['s3:GetObject', 's3:DeleteObject'],
          },
          // Idempotency-Key records: read, claim, complete, release.
          {
            sid: 'IdempotencyRecords',
            prefix: KEY_PREFIXES.idempotency,
            actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
          },
        ]),
        // So that reading an absent idempotency record is a 404, not a 403.
        { grants: [{ sid: 'ListDataBucket', actions: ['s3:ListBucket'], resources: [storage.data.arn] }] },
        stream.producerBinding(FUNCTION_ENV.streamName),
        table.binding(FUNCTION_ENV.uploadsTable, 'UploadStatuses', [
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          'dynamodb:DeleteItem',
          'dynamodb:Query',
        ]),
      ],
    });

    this.processor = new NodeFunction(this, FUNCTION_IDS.processor, {
      ...naming(FUNCTION_IDS.processor),
      description: 'Kinesis consumer: turns each upload into its processed/ twin',
      // Sized for the largest upload a session may send (PROCESSOR_SIZING, docs/performance.md).
      timeoutSeconds: processorTimeoutSeconds(options.maxDirectUploadBytes),
      memoryMb: PROCESSOR_SIZING.memoryMb,
      environment: {
        [FUNCTION_ENV.processorConcurrency]: String(options.processorConcurrency),
        [FUNCTION_ENV.transform]: options.transform,
        [FUNCTION_ENV.serviceName]: serviceName(FUNCTION_IDS.processor),
        [FUNCTION_ENV.metricsNamespace]: metricsNamespace(stage),
      },
      bindings: [
        stream.consumerBinding(),
        // GetObject on processed/ authorizes the HeadObject that follows a refused conditional
        // write, and S3 requires it for a PutObject with If-Match (replacing an older twin).
        // DeleteObject: a twin written for an upload deleted meanwhile goes with it.
        bucketBinding(FUNCTION_ENV.dataBucket, storage.data, [
          { sid: 'ReadUploads', prefix: KEY_PREFIXES.uploads, actions: ['s3:GetObject'] },
          {
            sid: 'WriteProcessed',
            prefix: KEY_PREFIXES.processed,
            actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
          },
        ]),
        failureDestinationBinding(storage),
        // Processed (once the object is whole) or failed (with the failure record's reason).
        table.binding(FUNCTION_ENV.uploadsTable, 'UploadStatuses', [
          'dynamodb:GetItem',
          'dynamodb:UpdateItem',
        ]),
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
    this.streams = new NodeFunction(this, FUNCTION_IDS.streams, {
      ...naming(FUNCTION_IDS.streams),
      description: 'Kinesis proxy for administrators: GET /streams, GET /streams/{name}, PUT record(s)',
      timeoutSeconds: 10,
      memoryMb: 256,
      environment: {
        [FUNCTION_ENV.adminGroup]: options.adminGroupName,
        [FUNCTION_ENV.allowedStreams]: proxyNames.join(','),
        [FUNCTION_ENV.serviceName]: serviceName(FUNCTION_IDS.streams),
        [FUNCTION_ENV.metricsNamespace]: metricsNamespace(stage),
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
  const failures = bucketBinding(FUNCTION_ENV.failuresBucket, storage.failures, [
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
