import type { InvokeResult } from '../types';

/** What an invocation means for the batch, as the event source mapping reads it. */
export type BatchOutcome =
  | { kind: 'success' }
  /** ReportBatchItemFailures: records before `firstFailedIndex` succeeded; retry from it. */
  | { kind: 'partial'; firstFailedIndex: number; failedCount: number }
  /** The function threw, crashed or timed out (BisectBatchOnFunctionError applies). */
  | { kind: 'function-error'; description: string }
  /** The function succeeded but its batchItemFailures cannot be read: the whole batch failed. */
  | { kind: 'invalid-response'; description: string };

/**
 * Reads an invocation result as Lambda does for a Kinesis batch. Without ReportBatchItemFailures any
 * success acks the whole batch. With it: a missing/null/empty `batchItemFailures` (or a null/empty
 * response) is a complete success; a failure list whose entry has an empty, null or missing
 * `itemIdentifier`, or one that is not a sequence number of this batch, is a complete failure;
 * otherwise the lowest failed sequence number becomes the retry point.
 */
export function classifyResult(
  result: InvokeResult,
  batchSequenceNumbers: readonly string[],
  reportBatchItemFailures: boolean,
): BatchOutcome {
  if (!result.ok) {
    const what = result.kind === 'timeout' ? 'timed out' : 'failed';
    return {
      kind: 'function-error',
      description: `${what}: ${result.error.errorType}: ${result.error.errorMessage}`,
    };
  }
  if (!reportBatchItemFailures) return { kind: 'success' };

  const response = result.result;
  if (response === undefined || response === null) return { kind: 'success' };
  if (typeof response !== 'object' || Array.isArray(response)) {
    return {
      kind: 'invalid-response',
      description: 'the response is not a batch item failure response object',
    };
  }
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return { kind: 'success' };
  if (!Array.isArray(failures)) {
    return { kind: 'invalid-response', description: 'batchItemFailures is not a list' };
  }
  if (failures.length === 0) return { kind: 'success' };

  const positions = new Map(batchSequenceNumbers.map((sequenceNumber, index) => [sequenceNumber, index]));
  let firstFailedIndex = Number.POSITIVE_INFINITY;
  for (const failure of failures) {
    const identifier =
      typeof failure === 'object' && failure !== null
        ? (failure as { itemIdentifier?: unknown }).itemIdentifier
        : undefined;
    if (typeof identifier !== 'string' || identifier === '') {
      return { kind: 'invalid-response', description: 'a batchItemFailures entry has no itemIdentifier' };
    }
    const index = positions.get(identifier);
    if (index === undefined) {
      return {
        kind: 'invalid-response',
        description: `itemIdentifier ${identifier} is not a sequence number of this batch`,
      };
    }
    firstFailedIndex = Math.min(firstFailedIndex, index);
  }
  return { kind: 'partial', firstFailedIndex, failedCount: failures.length };
}
