import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { UPLOADS_TABLE, uploadsTableName } from '@streamdrop/config';
import { Construct } from 'constructs';
import type { Binding } from './lambda-function';

export interface UploadsTableOptions {
  readonly stage: string;
}

/**
 * The status of every upload (UPLOADS_TABLE in @streamdrop/config): one item per upload, keyed by
 * the owner's sub and the upload id, a local secondary index to list a user's uploads newest
 * first, and a TTL on sessions that never got their bytes. On demand (no capacity to plan),
 * encrypted with the AWS-managed KMS key, point-in-time recovery on.
 *
 * Why a table and not S3 alone: newest-first listing needs an index S3 cannot keep (keys list in
 * ascending order and upload ids are random), and each listed upload would cost three S3 calls;
 * here a page is one Query and a status one GetItem (docs/api.md).
 */
export class UploadsTable extends Construct {
  readonly table: DynamodbTable;

  constructor(scope: Construct, id: string, options: UploadsTableOptions) {
    super(scope, id);
    const { partitionKey, sortKey, createdIndex, createdKey, ttlAttribute } = UPLOADS_TABLE;
    this.table = new DynamodbTable(this, 'table', {
      name: uploadsTableName(options.stage),
      billingMode: 'PAY_PER_REQUEST',
      hashKey: partitionKey,
      rangeKey: sortKey,
      attribute: [
        { name: partitionKey, type: 'S' },
        { name: sortKey, type: 'S' },
        { name: createdKey, type: 'S' },
      ],
      localSecondaryIndex: [{ name: createdIndex, rangeKey: createdKey, projectionType: 'ALL' }],
      ttl: { attributeName: ttlAttribute, enabled: true },
      pointInTimeRecovery: { enabled: true },
      serverSideEncryption: { enabled: true },
    });
  }

  get name(): string {
    return this.table.name;
  }

  get arn(): string {
    return this.table.arn;
  }

  /** `<table arn>/index/<name>`: what a Query of the listing index is authorized on. */
  get indexArn(): string {
    return `${this.table.arn}/index/${UPLOADS_TABLE.createdIndex}`;
  }

  /** The table's name in `envName`, and exactly `actions` on the table (and its index, for Query). */
  binding(envName: string, sid: string, actions: readonly string[]): Binding {
    const resources = actions.includes('dynamodb:Query') ? [this.arn, this.indexArn] : [this.arn];
    return { env: { [envName]: this.name }, grants: [{ sid, actions, resources }] };
  }
}
