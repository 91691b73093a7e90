export { isBatchFull, laneOf, MAX_PAYLOAD_BYTES, nextBatchLength, takeBatch } from './batch';
export {
  type Checkpoint,
  CheckpointFileError,
  type CheckpointStore,
  createFileCheckpointStore,
  createMemoryCheckpointStore,
  type MemoryCheckpointStore,
} from './checkpoint-store';
export { type EventSource, type PendingRecord, toEvent, toPendingRecord } from './kinesis-event';
export {
  buildOnFailureRecord,
  type FailureCondition,
  type KinesisBatchInfo,
  type OnFailureRecord,
  onFailureObjectKey,
} from './on-failure';
export { type Poller, type PollerOptions, type RetryBackoff, startPoller } from './poller';
export { type BatchOutcome, classifyResult } from './result';
export type { PollerObserver } from './shard-worker';
