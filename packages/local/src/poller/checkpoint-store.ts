import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { LocalError } from '../errors';

/** Where a shard resumes. */
export type Checkpoint =
  /** Every record up to and including this sequence number is processed (acked or sent to the destination). */
  | { afterSequenceNumber: string }
  /**
   * Nothing is processed yet and the mapping started at LATEST: the shard's latest position at first
   * start, pinned as a time, so a restart still delivers the records written while the poller was down.
   */
  | { atTimestampMs: number };

/** Persists each shard's position, keyed by event source mapping uuid and shard id. */
export interface CheckpointStore {
  get(mappingUuid: string, shardId: string): Promise<Checkpoint | undefined>;
  /** Resolves once the checkpoint is durable. */
  set(mappingUuid: string, shardId: string, checkpoint: Checkpoint): Promise<void>;
}

/** The checkpoint file exists but cannot be used; the message says which file and what to do. */
export class CheckpointFileError extends LocalError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CheckpointFileError';
  }
}

const FILE_VERSION = 1;

function keyOf(mappingUuid: string, shardId: string): string {
  return `${mappingUuid}/${shardId}`;
}

function parseCheckpoint(value: unknown): Checkpoint | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if ('afterSequenceNumber' in value && typeof value.afterSequenceNumber === 'string') {
    return /^\d+$/.test(value.afterSequenceNumber)
      ? { afterSequenceNumber: value.afterSequenceNumber }
      : undefined;
  }
  if ('atTimestampMs' in value && typeof value.atTimestampMs === 'number') {
    return Number.isFinite(value.atTimestampMs) ? { atTimestampMs: value.atTimestampMs } : undefined;
  }
  return undefined;
}

function parseFile(text: string, file: string): Map<string, Checkpoint> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CheckpointFileError(`checkpoint file ${file} is not valid JSON; fix or delete it`);
  }
  if (
    typeof json !== 'object' ||
    json === null ||
    !('version' in json) ||
    json.version !== FILE_VERSION ||
    !('checkpoints' in json) ||
    typeof json.checkpoints !== 'object' ||
    json.checkpoints === null
  ) {
    throw new CheckpointFileError(
      `checkpoint file ${file} is not a version ${FILE_VERSION} checkpoint file; fix or delete it`,
    );
  }
  const checkpoints = new Map<string, Checkpoint>();
  for (const [key, value] of Object.entries(json.checkpoints)) {
    const checkpoint = parseCheckpoint(value);
    if (!checkpoint) throw new CheckpointFileError(`checkpoint file ${file} has an invalid entry for ${key}`);
    checkpoints.set(key, checkpoint);
  }
  return checkpoints;
}

/**
 * A JSON file holding every shard's checkpoint, e.g.
 * `{"version":1,"checkpoints":{"<mapping uuid>/shardId-000000000000":{"afterSequenceNumber":"4968…"}}}`.
 * Each write goes to a temporary file that is then renamed over the old one, so a crash leaves either
 * the old or the new file, never half of one. Writes are serialized; every set() resolves after a
 * write that includes it.
 */
export function createFileCheckpointStore(file: string): CheckpointStore {
  let loaded: Promise<Map<string, Checkpoint>> | undefined;
  let writing: Promise<void> = Promise.resolve();

  const load = (): Promise<Map<string, Checkpoint>> => {
    loaded ??= readFile(file, 'utf8').then(
      (text) => parseFile(text, file),
      (error: unknown) => {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map<string, Checkpoint>();
        throw error;
      },
    );
    return loaded;
  };

  const writeSnapshot = async (checkpoints: Map<string, Checkpoint>): Promise<void> => {
    const body = JSON.stringify(
      {
        version: FILE_VERSION,
        checkpoints: Object.fromEntries([...checkpoints].sort(([a], [b]) => a.localeCompare(b))),
      },
      null,
      2,
    );
    const temp = `${file}.${process.pid}.${randomUUID()}.tmp`;
    await mkdir(dirname(file), { recursive: true });
    try {
      await writeFile(temp, `${body}\n`, 'utf8');
      await rename(temp, file);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  };

  return {
    async get(mappingUuid, shardId) {
      const checkpoints = await load();
      const checkpoint = checkpoints.get(keyOf(mappingUuid, shardId));
      return checkpoint && { ...checkpoint };
    },
    async set(mappingUuid, shardId, checkpoint) {
      const checkpoints = await load();
      checkpoints.set(keyOf(mappingUuid, shardId), { ...checkpoint });
      // Each write takes the snapshot when it starts, so a write queued behind another carries every
      // set() made before it began; a failed write does not poison the ones after it.
      const write = writing.then(
        () => writeSnapshot(checkpoints),
        () => writeSnapshot(checkpoints),
      );
      writing = write;
      await write;
    },
  };
}

/** An in-memory store for tests; `entries()` shows what a file store would hold. */
export interface MemoryCheckpointStore extends CheckpointStore {
  entries(): Record<string, Checkpoint>;
}

export function createMemoryCheckpointStore(initial: Record<string, Checkpoint> = {}): MemoryCheckpointStore {
  const checkpoints = new Map<string, Checkpoint>(Object.entries(initial));
  return {
    async get(mappingUuid, shardId) {
      const checkpoint = checkpoints.get(keyOf(mappingUuid, shardId));
      return checkpoint && { ...checkpoint };
    },
    async set(mappingUuid, shardId, checkpoint) {
      checkpoints.set(keyOf(mappingUuid, shardId), { ...checkpoint });
    },
    entries() {
      return Object.fromEntries(checkpoints);
    },
  };
}
