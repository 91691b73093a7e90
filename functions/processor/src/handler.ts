import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type {
  Context,
  KinesisStreamBatchResponse,
  KinesisStreamEvent,
  KinesisStreamRecord,
} from 'aws-lambda';
import { s3, statuses } from './clients';
import { config, type ProcessorConfig } from './config';
import { createByteBudget, createLimiter } from './limiter';
import { logger } from './logger';
import { type ProcessorMetrics, metrics as processorMetrics } from './metrics';
import { handleRecord, type ProcessDeps } from './process-record';
import { TRANSFORMS } from './transforms';

export interface ProcessorDeps extends ProcessDeps {
  config: ProcessDeps['config'] & Pick<ProcessorConfig, 'concurrency'>;
  metrics?: ProcessorMetrics;
}

export type ProcessorHandler = (
  event: KinesisStreamEvent,
  context: Context,
) => Promise<KinesisStreamBatchResponse>;

/**
 * The Kinesis consumer over the given dependencies (tests pass their own). Records that may
 * succeed later are reported in batchItemFailures; when every record fails the call throws, so
 * that the event source mapping bisects the batch.
 */
export function createHandler(deps: ProcessorDeps): ProcessorHandler {
  return async (event, context) => {
    logger.addContext(context);
    const invocation = { functionName: context.functionName, awsRequestId: context.awsRequestId };
    const limit = createLimiter(deps.config.concurrency);
    // The processor keeps per-batch state: a fresh one per call keeps overlapping calls in one
    // process (the local runtime) apart.
    const processor = new BatchProcessor(EventType.KinesisDataStreams);
    try {
      const response = await processPartialResponse(
        event,
        (record: KinesisStreamRecord) => limit(() => handleRecord(record, invocation, deps)),
        processor,
        { context },
      );
      deps.metrics?.retried(response.batchItemFailures.length);
      return response;
    } catch (error) {
      // Every record failed: the whole batch goes back (and is bisected).
      deps.metrics?.retried(event.Records.length);
      throw error;
    } finally {
      deps.metrics?.flush();
    }
  };
}

export const handler = createHandler({
  s3,
  config,
  transform: TRANSFORMS[config.transform],
  now: () => new Date(),
  logger,
  // One memory budget per process: overlapping calls (the local runtime) share the memory.
  memory: createByteBudget(config.inFlightBytes),
  metrics: processorMetrics,
  ...(statuses && { statuses }),
});
