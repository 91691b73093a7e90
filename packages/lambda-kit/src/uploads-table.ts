import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { UPLOADS_TABLE } from '@streamdrop/config';
import { UPLOAD_STATUSES, type UploadStatusName, UploadStatusNameSchema } from '@streamdrop/events';

/**
 * The status of every upload, one item per upload in the table UPLOADS_TABLE describes: what the
 * upload function writes when an upload is accepted or a session opened, and what the processor
 * writes once the upload is processed or has failed for good. Both functions read and write items
 * only through this module, so that the attribute names exist once.
 */

type Item = Record<string, AttributeValue>;
type Table = Pick<DynamoDBClient, 'send'>;

const {
  partitionKey: PK,
  sortKey: SK,
  createdKey: CREATED,
  ttlAttribute: TTL,
  objectKeyAttribute: KEY,
  multipartUploadAttribute: MPU,
} = UPLOADS_TABLE;

export type UploadOrigin = 'inline' | 'direct';

/** One upload as the table holds it. */
export interface UploadRecord {
  readonly userSub: string;
  readonly uploadId: string;
  /** ISO time the upload (or its session) was created. */
  readonly createdAt: string;
  readonly filename: string;
  /** `uploads/<sub>/<uploadId>/<filename>` */
  readonly key: string;
  readonly size: number;
  readonly contentType: string;
  /** Declared by the client (direct), computed by the function (inline) or by the processor. */
  readonly sha256?: string;
  readonly status: UploadStatusName;
  readonly origin: UploadOrigin;
  /** A multipart session's S3 upload id, and its part size. */
  readonly multipartUploadId?: string;
  readonly partSize?: number;
  /** When the session's presigned URLs expire (ISO). */
  readonly expiresAt?: string;
  /** The session may be completed until then (ISO); after it, it is gone. */
  readonly completeBy?: string;
  /** When the upload event was published (ISO). */
  readonly uploadedAt?: string;
  readonly processed?: { readonly key: string; readonly size: number; readonly sha256: string };
  readonly failure?: { readonly reason: string };
}

/** The item is not what this module writes: a bug or a hand edit, never a caller's fault. */
export class UploadItemError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UploadItemError';
  }
}

const S = (value: string): AttributeValue => ({ S: value });
const N = (value: number): AttributeValue => ({ N: String(value) });

function str(item: Item, name: string): string {
  const value = item[name]?.S;
  if (value === undefined) throw new UploadItemError(`upload item: ${name} is not a string`);
  return value;
}
function optStr(item: Item, name: string): string | undefined {
  return item[name] === undefined ? undefined : str(item, name);
}
function num(item: Item, name: string): number {
  const value = Number(item[name]?.N);
  if (!Number.isSafeInteger(value)) throw new UploadItemError(`upload item: ${name} is not an integer`);
  return value;
}
function optNum(item: Item, name: string): number | undefined {
  return item[name] === undefined ? undefined : num(item, name);
}

/** `<ISO time>#<uploadId>`: the index's sort key, unique and in creation order. */
const createdKey = (createdAt: string, uploadId: string) => `${createdAt}#${uploadId}`;

/** Reads an item back into a record; throws UploadItemError for anything this module does not write. */
export function recordFromItem(item: Item): UploadRecord {
  const status = UploadStatusNameSchema.safeParse(item.status?.S);
  if (!status.success) throw new UploadItemError('upload item: status is not a status');
  const origin = str(item, 'origin');
  if (origin !== 'inline' && origin !== 'direct') throw new UploadItemError('upload item: bad origin');
  const processedKey = optStr(item, 'processedKey');
  const failureReason = optStr(item, 'failureReason');
  const sha256 = optStr(item, 'sha256');
  const multipartUploadId = optStr(item, MPU);
  const partSize = optNum(item, 'partSize');
  const expiresAt = optStr(item, 'expiresAt');
  const completeBy = optStr(item, 'completeBy');
  const uploadedAt = optStr(item, 'uploadedAt');
  return {
    userSub: str(item, PK),
    uploadId: str(item, SK),
    createdAt: str(item, CREATED).split('#')[0] ?? '',
    filename: str(item, 'filename'),
    key: str(item, KEY),
    size: num(item, 'size'),
    contentType: str(item, 'contentType'),
    status: status.data,
    origin,
    ...(sha256 !== undefined && { sha256 }),
    ...(multipartUploadId !== undefined && { multipartUploadId }),
    ...(partSize !== undefined && { partSize }),
    ...(expiresAt !== undefined && { expiresAt }),
    ...(completeBy !== undefined && { completeBy }),
    ...(uploadedAt !== undefined && { uploadedAt }),
    ...(processedKey !== undefined && {
      processed: {
        key: processedKey,
        size: num(item, 'processedSize'),
        sha256: str(item, 'processedSha256'),
      },
    }),
    ...(failureReason !== undefined && { failure: { reason: failureReason } }),
  };
}

/** The item of a new upload (no processed or failure part: only the processor writes those). */
export function itemFromRecord(record: UploadRecord, expiresAtEpoch?: number): Item {
  const optional: Array<[string, AttributeValue | undefined]> = [
    ['sha256', record.sha256 === undefined ? undefined : S(record.sha256)],
    [MPU, record.multipartUploadId === undefined ? undefined : S(record.multipartUploadId)],
    ['partSize', record.partSize === undefined ? undefined : N(record.partSize)],
    ['expiresAt', record.expiresAt === undefined ? undefined : S(record.expiresAt)],
    ['completeBy', record.completeBy === undefined ? undefined : S(record.completeBy)],
    ['uploadedAt', record.uploadedAt === undefined ? undefined : S(record.uploadedAt)],
    [TTL, expiresAtEpoch === undefined ? undefined : N(expiresAtEpoch)],
  ];
  return {
    [PK]: S(record.userSub),
    [SK]: S(record.uploadId),
    [CREATED]: S(createdKey(record.createdAt, record.uploadId)),
    filename: S(record.filename),
    [KEY]: S(record.key),
    size: N(record.size),
    contentType: S(record.contentType),
    status: S(record.status),
    origin: S(record.origin),
    ...Object.fromEntries(
      optional.filter((entry): entry is [string, AttributeValue] => entry[1] !== undefined),
    ),
  };
}

/** Set by a `DELETE` before it removes anything: when it began. */
const DELETING = 'deletingAt';

const keyOf = (userSub: string, uploadId: string): Item => ({ [PK]: S(userSub), [SK]: S(uploadId) });

const isConditionFailed = (error: unknown) =>
  error instanceof ConditionalCheckFailedException ||
  (error instanceof Error && error.name === 'ConditionalCheckFailedException');

/** The table of one function: every call names the caller's sub, so no caller reaches another's item. */
export class UploadsTable {
  constructor(
    private readonly client: Table,
    readonly tableName: string,
  ) {}

  /** Writes the item of a new upload; false when one with this id exists already (nothing written). */
  async create(record: UploadRecord, expiresAtEpoch?: number): Promise<boolean> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: itemFromRecord(record, expiresAtEpoch),
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': PK },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }

  async get(userSub: string, uploadId: string): Promise<UploadRecord | undefined> {
    const { Item } = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: keyOf(userSub, uploadId), ConsistentRead: true }),
    );
    return Item ? recordFromItem(Item) : undefined;
  }

  /**
   * `awaiting-upload` → `queued` once the upload event is on the stream: the time limit goes (the
   * item stays), and so does nothing else. False when the upload was not awaiting its bytes any
   * more (the processor was quicker, or another complete): the status it has stays.
   */
  async markQueued(userSub: string, uploadId: string, uploadedAt: string): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: keyOf(userSub, uploadId),
          UpdateExpression: 'SET #status = :queued, uploadedAt = :at REMOVE #ttl',
          ConditionExpression: '#status = :awaiting',
          ExpressionAttributeNames: { '#status': 'status', '#ttl': TTL },
          ExpressionAttributeValues: {
            ':queued': S(UPLOAD_STATUSES.queued),
            ':awaiting': S(UPLOAD_STATUSES.awaitingUpload),
            ':at': S(uploadedAt),
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }

  /**
   * `processed`, with the processed object: only when the item exists (an upload without one —
   * older than the table, or a record an administrator wrote — updates nothing). The source's
   * sha256 is kept where the item has none (a direct upload that declared none).
   * False when there is no such item, or its upload is being deleted (`markDeleting`).
   */
  async markProcessed(
    userSub: string,
    uploadId: string,
    processed: { key: string; size: number; sha256: string; sourceSha256: string },
  ): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: keyOf(userSub, uploadId),
          UpdateExpression:
            'SET #status = :processed, processedKey = :key, processedSize = :size, processedSha256 = :sha, ' +
            'sha256 = if_not_exists(sha256, :source) REMOVE #ttl, failureReason',
          ConditionExpression: 'attribute_exists(#pk) AND attribute_not_exists(#deleting)',
          ExpressionAttributeNames: { '#status': 'status', '#ttl': TTL, '#pk': PK, '#deleting': DELETING },
          ExpressionAttributeValues: {
            ':processed': S(UPLOAD_STATUSES.processed),
            ':key': S(processed.key),
            ':size': N(processed.size),
            ':sha': S(processed.sha256),
            ':source': S(processed.sourceSha256),
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }

  /**
   * `failed`, with the reason of the failure record: only when the item exists and is not
   * processed (a processed upload stays processed: its object exists whole). False otherwise.
   */
  async markFailed(userSub: string, uploadId: string, reason: string): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: keyOf(userSub, uploadId),
          UpdateExpression: 'SET #status = :failed, failureReason = :reason REMOVE #ttl',
          ConditionExpression:
            'attribute_exists(#pk) AND #status <> :processed AND attribute_not_exists(#deleting)',
          ExpressionAttributeNames: { '#status': 'status', '#ttl': TTL, '#pk': PK, '#deleting': DELETING },
          ExpressionAttributeValues: {
            ':failed': S(UPLOAD_STATUSES.failed),
            ':processed': S(UPLOAD_STATUSES.processed),
            ':reason': S(reason.slice(0, 1024)),
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }

  /** A page of the caller's uploads, newest first, after `after` (the last of the previous page). */
  async list(
    userSub: string,
    limit: number,
    after?: { uploadId: string; createdAt: string },
  ): Promise<{ records: UploadRecord[]; last?: { uploadId: string; createdAt: string } }> {
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: UPLOADS_TABLE.createdIndex,
        KeyConditionExpression: '#pk = :sub',
        ExpressionAttributeNames: { '#pk': PK },
        ExpressionAttributeValues: { ':sub': S(userSub) },
        ScanIndexForward: false,
        Limit: limit,
        ...(after && {
          ExclusiveStartKey: {
            ...keyOf(userSub, after.uploadId),
            [CREATED]: S(createdKey(after.createdAt, after.uploadId)),
          },
        }),
      }),
    );
    const records = (result.Items ?? []).map(recordFromItem);
    const lastKey = result.LastEvaluatedKey;
    const last = records.at(-1);
    return lastKey && last
      ? { records, last: { uploadId: last.uploadId, createdAt: last.createdAt } }
      : { records };
  }

  /**
   * The first step of a `DELETE`: from now on nothing marks this upload processed or failed, so
   * that a processor finishing while the objects are deleted learns of it (and removes what it
   * wrote) instead of recording an upload that is going. False when there is no such item.
   */
  async markDeleting(userSub: string, uploadId: string, at: string): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: keyOf(userSub, uploadId),
          UpdateExpression: 'SET #deleting = :at',
          ConditionExpression: 'attribute_exists(#pk)',
          ExpressionAttributeNames: { '#pk': PK, '#deleting': DELETING },
          ExpressionAttributeValues: { ':at': S(at) },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }

  async delete(userSub: string, uploadId: string): Promise<void> {
    await this.client.send(
      new DeleteItemCommand({ TableName: this.tableName, Key: keyOf(userSub, uploadId) }),
    );
  }
}
