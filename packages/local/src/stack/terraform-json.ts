import { readFileSync } from 'node:fs';
import { StackError } from '../errors';

/** The parts of a synthesized `cdk.tf.json` the local runtime reads. */
export interface TerraformJson {
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  output?: Record<string, { value: unknown }>;
  provider?: { aws?: Array<Record<string, unknown>> };
}

export interface TerraformResource {
  type: string;
  name: string;
  /** `type.name` */
  address: string;
  values: Record<string, unknown>;
}

export function loadTerraformJson(file: string): TerraformJson {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new StackError(
      `The synthesized stack ${file} does not exist: run \`pnpm build && pnpm synth\` first (npm start does both).`,
    );
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null) throw new Error('not an object');
    return parsed as TerraformJson;
  } catch (error) {
    throw new StackError(
      `${file} is not valid Terraform JSON (${(error as Error).message}): run \`pnpm synth\` again.`,
    );
  }
}

export function resources(tf: TerraformJson, type: string): TerraformResource[] {
  return Object.entries(tf.resource?.[type] ?? {}).map(([name, values]) => ({
    type,
    name,
    address: `${type}.${name}`,
    values,
  }));
}

export function single(tf: TerraformJson, type: string): TerraformResource {
  const all = resources(tf, type);
  if (all.length !== 1) {
    throw new StackError(`The local runtime expects exactly one ${type} in the stack, found ${all.length}.`);
  }
  return all[0] as TerraformResource;
}

/** Reads a property as a string / number / boolean / array / block, with a clear error when the type is off. */
export const prop = {
  str(r: TerraformResource, key: string, fallback?: string): string {
    const v = r.values[key];
    if (typeof v === 'string') return v;
    if (v === undefined && fallback !== undefined) return fallback;
    throw new StackError(`${r.address}.${key} should be a string, found ${JSON.stringify(v)}`);
  },
  optStr(r: TerraformResource, key: string): string | undefined {
    const v = r.values[key];
    return typeof v === 'string' ? v : undefined;
  },
  num(r: TerraformResource, key: string, fallback: number): number {
    const v = r.values[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v === 'number') return v;
    if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v)) return Number(v);
    throw new StackError(`${r.address}.${key} should be a number, found ${JSON.stringify(v)}`);
  },
  bool(r: TerraformResource, key: string, fallback: boolean): boolean {
    const v = r.values[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v === 'boolean') return v;
    if (v === 'true' || v === 'false') return v === 'true';
    throw new StackError(`${r.address}.${key} should be a boolean, found ${JSON.stringify(v)}`);
  },
  strs(r: TerraformResource, key: string): string[] {
    const v = r.values[key];
    if (v === undefined || v === null) return [];
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v;
    throw new StackError(`${r.address}.${key} should be a list of strings, found ${JSON.stringify(v)}`);
  },
  /** A nested block: Terraform JSON allows an object or a one-element list. */
  block(r: TerraformResource, key: string): Record<string, unknown> | undefined {
    const v = r.values[key];
    const b = Array.isArray(v) ? v[0] : v;
    return typeof b === 'object' && b !== null ? (b as Record<string, unknown>) : undefined;
  },
};

const REF = /\$\{([^}]*)\}/g;

/** The single `type.name` a value refers to (as in `${aws_s3_bucket.data.arn}`), if any. */
export function referencedAddress(value: unknown): { address: string; attribute: string } | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^\$\{(?:data\.)?([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+)\}$/.exec(value);
  return m ? { address: `${m[1]}.${m[2]}`, attribute: m[3] as string } : undefined;
}

/**
 * Replaces every `${type.name.attr}` in `value` using `lookup`; a reference the local
 * runtime cannot resolve is an error naming it (never a silent empty string).
 */
export function interpolate(
  value: string,
  lookup: (type: string, name: string, attribute: string) => string | undefined,
  where: string,
): string {
  return value.replace(REF, (whole, expression: string) => {
    const m = /^(data\.)?([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+)$/.exec(expression.trim());
    const resolved = m ? lookup(`${m[1] ?? ''}${m[2]}`, m[3] as string, m[4] as string) : undefined;
    if (resolved === undefined) {
      throw new StackError(`${where}: the local runtime cannot resolve the Terraform expression ${whole}.`);
    }
    return resolved;
  });
}
