import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  type KeySchemaElement,
  type ScalarAttributeType,
} from '@aws-sdk/client-dynamodb';
import { type CORSRule, PutBucketCorsCommand, type S3Client } from '@aws-sdk/client-s3';
import { StackError } from './errors';
import { localWebEntries, type StackInventory } from './stack/model';
import { prop, type TerraformResource } from './stack/terraform-json';
import type { Log } from './types';

const blocksOf = (value: unknown): Record<string, unknown>[] =>
  Array.isArray(value)
    ? (value as Record<string, unknown>[])
    : value
      ? [value as Record<string, unknown>]
      : [];
const strs = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

/** The CreateTable request of an aws_dynamodb_table: keys, attributes and indexes as the stack declares them. */
export function createTableInput(table: TerraformResource) {
  const hashKey = prop.str(table, 'hash_key');
  const rangeKey = prop.optStr(table, 'range_key');
  const keys = (hash: string, range: string | undefined): KeySchemaElement[] => [
    { AttributeName: hash, KeyType: 'HASH' },
    ...(range ? [{ AttributeName: range, KeyType: 'RANGE' as const }] : []),
  ];
  const projection = (index: Record<string, unknown>) => ({
    ProjectionType: (index.projection_type as 'ALL' | 'KEYS_ONLY' | 'INCLUDE' | undefined) ?? 'ALL',
    ...(index.projection_type === 'INCLUDE' && { NonKeyAttributes: strs(index.non_key_attributes) }),
  });
  const local = blocksOf(table.values.local_secondary_index);
  const global = blocksOf(table.values.global_secondary_index);
  if (prop.str(table, 'billing_mode', 'PROVISIONED') !== 'PAY_PER_REQUEST') {
    throw new StackError(`${table.address}: only PAY_PER_REQUEST tables run locally.`);
  }
  return {
    TableName: prop.str(table, 'name'),
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: blocksOf(table.values.attribute).map((a) => ({
      AttributeName: String(a.name),
      AttributeType: String(a.type) as ScalarAttributeType,
    })),
    KeySchema: keys(hashKey, rangeKey),
    ...(local.length > 0 && {
      LocalSecondaryIndexes: local.map((index) => ({
        IndexName: String(index.name),
        KeySchema: keys(hashKey, String(index.range_key)),
        Projection: projection(index),
      })),
    }),
    ...(global.length > 0 && {
      GlobalSecondaryIndexes: global.map((index) => ({
        IndexName: String(index.name),
        KeySchema: keys(String(index.hash_key), index.range_key ? String(index.range_key) : undefined),
        Projection: projection(index),
      })),
    }),
  };
}

/** Creates in dynalite every table the stack declares (once: a restart finds them on disk). */
export async function createTables(
  dynamodb: DynamoDBClient,
  inventory: StackInventory,
  log: Log,
): Promise<void> {
  for (const table of inventory.tables) {
    const input = createTableInput(table);
    try {
      await dynamodb.send(new DescribeTableCommand({ TableName: input.TableName }));
      continue;
    } catch (error) {
      if ((error as { name?: string }).name !== 'ResourceNotFoundException') throw error;
    }
    await dynamodb.send(new CreateTableCommand(input));
    log.info(`created table ${input.TableName}`);
  }
}

/**
 * Puts each bucket's CORS rules, as the stack declares them, on its s3rver bucket (every start),
 * with the web origins made local: the stack's CloudFront origin is the local web client, which is
 * always allowed (see localWebEntries).
 */
export async function applyBucketCors(
  s3: S3Client,
  inventory: StackInventory,
  webOrigin?: string,
): Promise<void> {
  for (const { bucketAddress, rules } of inventory.bucketCors) {
    const bucket = inventory.buckets.find((b) => b.address === bucketAddress);
    if (!bucket) continue;
    const corsRules: CORSRule[] = rules.map((rule) => ({
      AllowedOrigins: localWebEntries(strs(rule.allowed_origins), webOrigin),
      AllowedMethods: strs(rule.allowed_methods),
      AllowedHeaders: strs(rule.allowed_headers),
      ExposeHeaders: strs(rule.expose_headers),
      ...(typeof rule.max_age_seconds === 'number' && { MaxAgeSeconds: rule.max_age_seconds }),
    }));
    await s3.send(
      new PutBucketCorsCommand({ Bucket: bucket.name, CORSConfiguration: { CORSRules: corsRules } }),
    );
  }
}
