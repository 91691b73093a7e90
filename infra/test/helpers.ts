import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Testing } from 'cdktf';
import { type ConfigEnv, loadConfig, type StreamdropConfig } from '../src/config';
import { StreamdropStack } from '../src/stack';

/** A repo root that exists nowhere: paths derived from it must never be touched by the tests. */
export const FAKE_REPO = '/nonexistent/streamdrop';

let temp: string | undefined;

/** One temp folder per test file (removed by setup.ts after the file's tests). */
export function tempDir(): string {
  temp ??= mkdtempSync(join(tmpdir(), 'streamdrop-infra-test-'));
  return temp;
}

export function removeTempDir(): void {
  if (temp) rmSync(temp, { recursive: true, force: true });
  temp = undefined;
}

/** Fake esbuild outputs (one tiny index.mjs per function), so tests never need real bundles. */
export function fakeBundlesDir(): string {
  const bundles = join(tempDir(), 'bundles');
  for (const name of ['upload', 'processor', 'streams']) {
    mkdirSync(join(bundles, name), { recursive: true });
    writeFileSync(join(bundles, name, 'index.mjs'), `export const handler = async () => '${name}';\n`);
  }
  return bundles;
}

/** A fake web build (a page with its CSP placeholder, one hashed script), so tests never need `pnpm build`. */
export function fakeWebDir(): string {
  const web = join(tempDir(), 'web');
  mkdirSync(join(web, 'assets'), { recursive: true });
  writeFileSync(
    join(web, 'index.html'),
    '<!doctype html><html><head><!-- streamdrop:csp --><script type="module" src="assets/app-TEST0000.js"></script></head><body></body></html>\n',
  );
  writeFileSync(join(web, 'assets', 'app-TEST0000.js'), "console.log('streamdrop');\n");
  return web;
}

let outdirs = 0;

/** A fresh synth output folder inside the temp folder. */
export function newOutdir(): string {
  const dir = join(tempDir(), `out-${++outdirs}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function testConfig(env: ConfigEnv = {}): StreamdropConfig {
  return loadConfig(
    { STREAMDROP_BUNDLES_DIR: fakeBundlesDir(), STREAMDROP_WEB_DIR: fakeWebDir(), ...env },
    { repoRoot: FAKE_REPO },
  );
}

export interface Synthesized {
  readonly stack: StreamdropStack;
  readonly config: StreamdropConfig;
  /** What cdktf's matchers take. */
  readonly json: string;
  readonly tf: TerraformJson;
}

export interface TerraformJson {
  resource: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  output: Record<string, { value: unknown; description?: string }>;
  provider: Record<string, Record<string, unknown>[]>;
  terraform: {
    backend: Record<string, Record<string, unknown>>;
    required_providers: Record<string, unknown>;
  };
}

/** Synthesizes the whole stack in memory (no files but the app's temp outdir). */
export function synth(env: ConfigEnv = {}): Synthesized {
  const config = testConfig(env);
  const app = Testing.app({ outdir: newOutdir() });
  const stack = new StreamdropStack(app, config);
  const json = Testing.synth(stack);
  return { stack, config, json, tf: JSON.parse(json) as TerraformJson };
}

/** All resources of one Terraform type, keyed by logical id. */
export function resourcesOf(tf: TerraformJson, type: string): Record<string, Record<string, unknown>> {
  return tf.resource[type] ?? {};
}

/** The one resource of `type` whose `key` equals `value`; fails the test when there is not exactly one. */
export function findResource(
  tf: TerraformJson,
  type: string,
  key: string,
  value: unknown,
): { id: string; body: Record<string, unknown> } {
  const matches = Object.entries(resourcesOf(tf, type)).filter(([, body]) => body[key] === value);
  if (matches.length !== 1)
    throw new Error(`expected one ${type} with ${key}=${String(value)}, found ${matches.length}`);
  const [id, body] = matches[0] as [string, Record<string, unknown>];
  return { id, body };
}

/** `${type.id.attr}` as cdktf writes a reference. */
export function ref(type: string, id: string, attr: string): string {
  return `\${${type}.${id}.${attr}}`;
}

export interface PolicyStatement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
}

/** Parses an IAM policy JSON string as synthesized. */
export function parsePolicy(policy: unknown): { Version: string; Statement: PolicyStatement[] } {
  if (typeof policy !== 'string') throw new Error(`policy is not a JSON string: ${JSON.stringify(policy)}`);
  return JSON.parse(policy) as { Version: string; Statement: PolicyStatement[] };
}

export function asArray(value: string | string[]): string[] {
  return Array.isArray(value) ? value : [value];
}
