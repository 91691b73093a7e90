import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type {
  Context,
  KinesisStreamBatchResponse,
  KinesisStreamEvent,
  KinesisStreamRecord,
} from 'aws-lambda';
import { s3 } from './clients';
import { config } from './config';
import { createByteBudget, createLimiter } from './limiter';
import { logger } from './logger';
import { handleRecord, type ProcessDeps } from './process-record';
import { upperCaseText } from './transform';

// One memory budget per process: overlapping calls (the local runtime) share the memory.
const deps: ProcessDeps = {
  s3,
  config,
  transform: upperCaseText,
  now: () => new Date(),
  logger,
  memory: createByteBudget(config.inFlightBytes),
};

/**
 * Kinesis consumer. Records that may succeed later are reported in batchItemFailures; when
 * every record fails the call throws, so that the event source mapping bisects the batch.
 */
export async function handler(
  event: KinesisStreamEvent,
  context: Context,
): Promise<KinesisStreamBatchResponse> {
  logger.addContext(context);
  const invocation = { functionName: context.functionName, awsRequestId: context.awsRequestId };
  const limit = createLimiter(config.concurrency);
  // The processor keeps per-batch state: a fresh one per call keeps overlapping calls in one
  // process (the local runtime) apart.
  const processor = new BatchProcessor(EventType.KinesisDataStreams);
  return processPartialResponse(
    event,
    (record: KinesisStreamRecord) => limit(() => handleRecord(record, invocation, deps)),
    processor,
    { context },
  );
}
