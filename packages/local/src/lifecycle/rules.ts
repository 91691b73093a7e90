import { StackError } from '../errors';
import type { StackInventory } from '../stack/model';
import {
  referencedAddress,
  resources,
  type TerraformJson,
  type TerraformResource,
} from '../stack/terraform-json';

/**
 * One rule of an `aws_s3_bucket_lifecycle_configuration`, as far as the local runtime carries it
 * out: expiration (days after creation, or a date) and the abort of incomplete multipart uploads,
 * each for the objects its filter selects. s3rver keeps no versions and no storage classes, so the
 * actions on noncurrent versions, delete markers and transitions are listed in `notEmulated`.
 */
export interface LifecycleRule {
  /** The local bucket's name. */
  bucket: string;
  id: string;
  enabled: boolean;
  /** Key prefix the rule is limited to ('' = every object). */
  prefix: string;
  /** Tags an object must all carry for an expiration to apply (abort rules take none on S3). */
  tags: ReadonlyArray<{ key: string; value: string }>;
  /** Size bounds (bytes, exclusive), when the filter has them. */
  sizeGreaterThan?: number;
  sizeLessThan?: number;
  /** Expire the current object this many days after its creation (its LastModified). */
  expirationDays?: number;
  /** …or once this date has passed (epoch ms). */
  expirationDate?: number;
  /** Abort a multipart upload this many days after it was initiated. */
  abortIncompleteDays?: number;
  /** Actions of the rule the local runtime does not carry out (noncurrent versions, transitions…). */
  notEmulated: string[];
}

/** A nested block: Terraform JSON allows an object or a list of them. */
function blocks(value: unknown): Array<Record<string, unknown>> {
  const list = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  return list.filter((b): b is Record<string, unknown> => typeof b === 'object' && b !== null);
}

function number(value: unknown, where: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  if (!Number.isFinite(n) || n < 0)
    throw new StackError(`${where} should be a non-negative number, found ${JSON.stringify(value)}`);
  return n;
}

function text(value: unknown, where: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.includes('${'))
    throw new StackError(`${where} should be a literal string, found ${JSON.stringify(value)}`);
  return value;
}

/** `tag { key, value }` blocks, or a `tags = { k = v }` map. */
function tagsOf(value: unknown, where: string): Array<{ key: string; value: string }> {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) && typeof value === 'object' && !('key' in value)) {
    return Object.entries(value as Record<string, unknown>).map(([key, v]) => ({
      key,
      value: text(v, `${where}.${key}`) ?? '',
    }));
  }
  return blocks(value).map((t, i) => ({
    key: text(t.key, `${where}[${i}].key`) ?? '',
    value: text(t.value, `${where}[${i}].value`) ?? '',
  }));
}

function bucketOf(config: TerraformResource, inventory: StackInventory): string {
  const value = config.values.bucket;
  const ref = referencedAddress(value);
  if (ref) {
    const bucket = inventory.buckets.find((b) => b.address === ref.address);
    if (!bucket || !['id', 'bucket'].includes(ref.attribute))
      throw new StackError(
        `${config.address}.bucket should reference a bucket of the stack, found ${JSON.stringify(value)}`,
      );
    return bucket.name;
  }
  return text(value, `${config.address}.bucket`) ?? '';
}

function ruleOf(raw: Record<string, unknown>, bucket: string, where: string): LifecycleRule {
  const filter = blocks(raw.filter)[0];
  const and = filter ? blocks(filter.and)[0] : undefined;
  const selection = and ?? filter ?? {};
  // The rule-level prefix is the legacy form of a filter's prefix.
  const prefix =
    text(selection.prefix, `${where}.filter.prefix`) ?? text(raw.prefix, `${where}.prefix`) ?? '';
  const tags = and
    ? tagsOf(and.tags, `${where}.filter.and.tags`)
    : tagsOf(filter?.tag, `${where}.filter.tag`);
  const expiration = blocks(raw.expiration)[0];
  const abort = blocks(raw.abort_incomplete_multipart_upload)[0];
  const notEmulated = ['noncurrent_version_expiration', 'noncurrent_version_transition', 'transition'].filter(
    (action) => blocks(raw[action]).length > 0,
  );
  if (
    expiration &&
    (expiration.expired_object_delete_marker === true || expiration.expired_object_delete_marker === 'true')
  )
    notEmulated.push('expiration.expired_object_delete_marker');
  const date = text(expiration?.date, `${where}.expiration.date`);
  return {
    bucket,
    id: text(raw.id, `${where}.id`) ?? where,
    enabled: (text(raw.status, `${where}.status`) ?? 'Enabled') === 'Enabled',
    prefix,
    tags,
    sizeGreaterThan: number(selection.object_size_greater_than, `${where}.filter.object_size_greater_than`),
    sizeLessThan: number(selection.object_size_less_than, `${where}.filter.object_size_less_than`),
    expirationDays: number(expiration?.days, `${where}.expiration.days`) || undefined,
    expirationDate: date === undefined ? undefined : Date.parse(date),
    abortIncompleteDays: number(abort?.days_after_initiation, `${where}.abort_incomplete_multipart_upload`),
    notEmulated,
  };
}

/** Every lifecycle rule of the stack, on its local bucket, in the order the stack declares them. */
export function lifecycleRules(tf: TerraformJson, inventory: StackInventory): LifecycleRule[] {
  return resources(tf, 'aws_s3_bucket_lifecycle_configuration').flatMap((config) => {
    const bucket = bucketOf(config, inventory);
    return blocks(config.values.rule).map((raw, i) => ruleOf(raw, bucket, `${config.address}.rule[${i}]`));
  });
}

/** True when the object's key, size and (for rules that filter on them) tags are the rule's. */
export function selects(
  rule: LifecycleRule,
  object: { key: string; size?: number; tags?: ReadonlyArray<{ key: string; value: string }> },
): boolean {
  if (!object.key.startsWith(rule.prefix)) return false;
  if (rule.sizeGreaterThan !== undefined && !((object.size ?? 0) > rule.sizeGreaterThan)) return false;
  if (rule.sizeLessThan !== undefined && !((object.size ?? 0) < rule.sizeLessThan)) return false;
  return rule.tags.every((want) => object.tags?.some((t) => t.key === want.key && t.value === want.value));
}
