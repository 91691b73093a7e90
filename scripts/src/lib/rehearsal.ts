import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetBucketEncryptionCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  GetPublicAccessBlockCommand,
  ListBucketsCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { UserError } from '@streamdrop/cli-kit';
import { WEB_CONFIG_FILE, WEB_INDEX_FILE } from '@streamdrop/config';
import {
  type EmulatorInventory,
  emulatorInventory,
  findExecutable,
  leftovers,
  MOTO_SERVER,
  motoMissingMessage,
  startMoto,
} from './moto';
import { FAKE_CREDENTIALS } from './offline';
import type { PlanJson } from './plan-json';
import { actionOf, changedAttributes, formatPath } from './plan-summary';
import { Sandbox, timed } from './sandbox';
import { requireTerraform } from './terraform';

/**
 * moto's known drift: it drops a Kinesis stream's tags at creation, so the next plan puts the
 * default tags back (`tags_all`, sometimes `tags`), and it stores no Lambda LoggingConfig, so the
 * next plan puts the JSON log format back (`logging_config`). Anything else in a second plan is a
 * real problem: the stack does not converge.
 */
export function classifyDrift(plan: PlanJson): { readonly known: string[]; readonly unexpected: string[] } {
  const known: string[] = [];
  const unexpected: string[] = [];
  for (const change of plan.resource_changes ?? []) {
    if (change.mode !== 'managed') continue;
    const action = actionOf(change);
    if (action === undefined) continue;
    const changed = changedAttributes(change.change);
    const tagsOnly = changed.length > 0 && changed.every((name) => name === 'tags' || name === 'tags_all');
    // moto stores no LoggingConfig, so a plan always puts the functions' JSON log format back.
    const loggingOnly = changed.length > 0 && changed.every((name) => name === 'logging_config');
    if (
      action === 'update' &&
      ((change.type === 'aws_kinesis_stream' && tagsOnly) ||
        (change.type === 'aws_lambda_function' && loggingOnly))
    ) {
      known.push(`${change.address} (${changed.join(', ')})`);
    } else {
      // An update names what it changes; a replacement what forces it (its other attributes all change).
      const why = action === 'update' ? changed : (change.change.replace_paths ?? []).map(formatPath);
      unexpected.push(`${change.address}: ${action}${why.length > 0 ? ` (${why.join(', ')})` : ''}`);
    }
  }
  return { known, unexpected };
}

/**
 * Problems with the stack's outputs: one the stack declares (`declared`, from cdk.tf.json) that
 * is missing or empty, or a value that is malformed or names nothing the emulator holds.
 */
export function checkOutputs(
  outputs: Readonly<Record<string, string>>,
  inventory: EmulatorInventory,
  declared: readonly string[],
): string[] {
  const problems: string[] = [];
  const missing = declared.filter((name) => !outputs[name]);
  if (missing.length > 0) problems.push(`missing outputs: ${missing.join(', ')}`);
  const get = (name: string) => outputs[name] ?? '';
  const region = get('region');
  const api = /^https:\/\/([a-z0-9]+)\.execute-api\.([a-z0-9-]+)\.amazonaws\.com\/?$/.exec(get('api_url'));
  if (!api) problems.push(`api_url "${get('api_url')}" is not an execute-api URL`);
  else if (!inventory.httpApiIds.includes(api[1] ?? ''))
    problems.push(`api_url names API ${api[1]}, which does not exist`);
  else if (api[2] !== region) problems.push(`api_url is in ${api[2]}, the stack in ${region}`);
  const pool = get('user_pool_id');
  if (!new RegExp(`^${region}_[A-Za-z0-9]+$`).test(pool))
    problems.push(`user_pool_id "${pool}" is not a ${region} pool id`);
  else if (!inventory.userPoolIds.includes(pool)) problems.push(`user pool ${pool} does not exist`);
  if (get('cognito_issuer') !== `https://cognito-idp.${region}.amazonaws.com/${pool}`) {
    problems.push(`cognito_issuer "${get('cognito_issuer')}" is not the issuer of ${pool}`);
  }
  for (const name of ['data_bucket', 'failures_bucket']) {
    if (!inventory.buckets.includes(get(name))) problems.push(`${name} "${get(name)}" does not exist`);
  }
  if (!inventory.streams.includes(get('stream_name')))
    problems.push(`stream "${get('stream_name')}" does not exist`);
  if (!get('stream_arn').endsWith(`:stream/${get('stream_name')}`)) {
    problems.push(`stream_arn "${get('stream_arn')}" is not the ARN of ${get('stream_name')}`);
  }
  for (const name of ['upload_function_name', 'processor_function_name', 'streams_function_name']) {
    if (!inventory.functions.includes(get(name))) problems.push(`${name} "${get(name)}" does not exist`);
  }
  return problems;
}

/**
 * The data bucket as the upload function uses it: its settings took effect (versioning,
 * encryption, public access block, the TLS-only policy), and an object goes in and comes back.
 * The object stays: teardown must remove a bucket that holds data.
 */
async function checkDataBucket(s3: S3Client, bucket: string): Promise<string[]> {
  const problems: string[] = [];
  const versioning = await s3.send(new GetBucketVersioningCommand({ Bucket: bucket }));
  if (versioning.Status !== 'Enabled')
    problems.push(`versioning of ${bucket} is ${versioning.Status ?? 'off'}`);
  const encryption = await s3.send(new GetBucketEncryptionCommand({ Bucket: bucket }));
  const algorithm =
    encryption.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault
      ?.SSEAlgorithm;
  if (algorithm !== 'AES256') problems.push(`default encryption of ${bucket} is ${algorithm ?? 'none'}`);
  const block = (await s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket })))
    .PublicAccessBlockConfiguration;
  if (
    !block?.BlockPublicAcls ||
    !block.BlockPublicPolicy ||
    !block.IgnorePublicAcls ||
    !block.RestrictPublicBuckets
  ) {
    problems.push(`public access of ${bucket} is not fully blocked`);
  }
  const policy = (await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy ?? '';
  if (!policy.includes('aws:SecureTransport')) problems.push(`${bucket} has no TLS-only policy`);
  const key = 'uploads/rehearsal/0/hello.txt';
  await s3.send(
    new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'hello kinesis', ContentType: 'text/plain' }),
  );
  const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const body = await got.Body?.transformToString();
  if (body !== 'hello kinesis')
    problems.push(`object round trip in ${bucket} returned ${JSON.stringify(body)}`);
  return problems;
}

/**
 * The web client as deployed: its bucket holds config.json written from the stack's own outputs
 * (no rebuild) and the page, whose own CSP names exactly the API; web_url is its https URL.
 */
async function checkWebClient(
  s3: S3Client,
  outputs: Readonly<Record<string, string>>,
  stage: string,
): Promise<string[]> {
  const problems: string[] = [];
  if (!/^https:\/\/[^/]+\/$/.test(outputs.web_url ?? ''))
    problems.push(`web_url "${outputs.web_url}" is not an https URL`);
  const buckets = (await s3.send(new ListBucketsCommand({}))).Buckets ?? [];
  const bucket = buckets.map((b) => b.Name ?? '').find((name) => name.startsWith(`streamdrop-${stage}-web-`));
  if (!bucket) return [...problems, 'no web client bucket'];
  const read = async (key: string) =>
    (await s3
      .send(new GetObjectCommand({ Bucket: bucket, Key: key }))
      .then((o) => o.Body?.transformToString())) ?? '';
  let config: { apiUrl?: unknown; auth?: { clientId?: unknown }; adminGroup?: unknown } = {};
  try {
    config = JSON.parse(await read(WEB_CONFIG_FILE));
  } catch {
    problems.push(`${WEB_CONFIG_FILE} of ${bucket} is missing or not JSON`);
  }
  if (config.apiUrl !== outputs.api_url)
    problems.push(`config.json names the API ${String(config.apiUrl)}, not api_url`);
  if (config.auth?.clientId !== outputs.user_pool_client_id)
    problems.push('config.json names another app client');
  if (config.adminGroup !== outputs.admin_group) problems.push('config.json names another admin group');
  const page = await read(WEB_INDEX_FILE).catch(() => '');
  if (!page.includes(`connect-src 'self' ${outputs.api_url} `))
    problems.push(`${WEB_INDEX_FILE}'s CSP does not name the API exactly`);
  return problems;
}

/** Outputs against the emulator's inventory, then the data bucket itself. */
async function checkApplied(
  endpoint: string,
  outputs: Readonly<Record<string, string>>,
  declared: readonly string[],
  stage: string,
): Promise<string[]> {
  const region = outputs.region ?? 'us-east-1';
  const inventory = await emulatorInventory(endpoint, region);
  const s3 = new S3Client({
    endpoint,
    region,
    forcePathStyle: true,
    credentials: FAKE_CREDENTIALS,
  });
  try {
    return [
      ...checkOutputs(outputs, inventory, declared),
      ...(await checkDataBucket(s3, outputs.data_bucket ?? '')),
      ...(await checkWebClient(s3, outputs, stage)),
    ];
  } finally {
    s3.destroy();
  }
}

/**
 * A second plan must be empty but for moto's known drift; when there is some, applying that
 * plan must converge (a third plan is empty). Returns the known drift that was converged.
 */
async function converged(sandbox: Sandbox, times: Record<string, number>): Promise<string[]> {
  const second = await sandbox.plan('replan');
  times.replan = second.seconds;
  if (!second.changes) return [];
  const drift = classifyDrift(await second.json());
  if (drift.unexpected.length > 0) {
    throw new UserError(
      `the stack does not converge: a second plan changes\n  - ${drift.unexpected.join('\n  - ')}`,
    );
  }
  console.log(`  moto's known drift (Kinesis tags dropped at creation): ${drift.known.join(', ')}`);
  times.reapply = await sandbox.apply(second.file);
  const third = await sandbox.plan('converged');
  times.converged = third.seconds;
  if (third.changes) {
    const again = classifyDrift(await third.json());
    throw new UserError(
      `still not converged after a second apply:\n  - ${[...again.known, ...again.unexpected].join('\n  - ')}`,
    );
  }
  return drift.known;
}

/** What docs/deploy.md says to do before destroying a stage: only in-place updates, applied. */
async function teardownSettings(sandbox: Sandbox): Promise<void> {
  await sandbox.synth({ STREAMDROP_DELETION_PROTECTION: 'false', STREAMDROP_FORCE_DESTROY: 'true' });
  const plan = await sandbox.plan('teardown');
  if (!plan.changes) return;
  const others = ((await plan.json()).resource_changes ?? []).filter((c) => {
    const action = c.mode === 'managed' ? actionOf(c) : undefined;
    return action !== undefined && action !== 'update';
  });
  if (others.length > 0) {
    throw new UserError(
      `the teardown settings should only update in place, but: ${others.map((c) => `${c.address} ${actionOf(c)}`).join(', ')}`,
    );
  }
  await sandbox.apply(plan.file);
}

export interface RehearsalOptions {
  readonly root: string;
  /** A running emulator; without it moto_server is started on a free port and stopped after. */
  readonly endpoint?: string | undefined;
  /** Stage name of the rehearsed stack (default `rehearsal`), so it never collides with a real one. */
  readonly stage?: string | undefined;
  /** Keep the work folder (synth output, state) even on success. */
  readonly keep?: boolean | undefined;
  readonly verbose?: boolean | undefined;
  readonly env?: NodeJS.ProcessEnv;
}

export interface RehearsalReport {
  readonly stackName: string;
  readonly endpoint: string;
  readonly resources: number;
  readonly outputs: Readonly<Record<string, string>>;
  /** moto's known drift, converged by the second apply. */
  readonly drift: readonly string[];
  /** Seconds per step. */
  readonly times: Readonly<Record<string, number>>;
  readonly workDir: string | undefined;
}

/** Refuses early, before anything is built, when there is nothing to rehearse against. */
export function requireEmulator(options: Pick<RehearsalOptions, 'endpoint' | 'env'>): string | undefined {
  if (options.endpoint) return undefined;
  const bin = findExecutable(MOTO_SERVER, options.env);
  if (!bin) throw new UserError(motoMissingMessage('pnpm rehearse'));
  return bin;
}

/**
 * apply → check outputs and the data bucket → re-plan (only moto's known drift allowed; a second
 * apply must converge it) → the teardown of docs/deploy.md (deletion protection off, force destroy on) →
 * destroy → nothing left in the state or in the emulator.
 */
export async function rehearse(options: RehearsalOptions): Promise<RehearsalReport> {
  const bin = requireEmulator(options);
  requireTerraform(options.env);
  const stage = options.stage ?? 'rehearsal';
  const times: Record<string, number> = {};
  const workDir = mkdtempSync(join(tmpdir(), 'streamdrop-rehearsal-'));
  const moto = bin ? await startMoto({ bin }) : undefined;
  const endpoint = options.endpoint ?? moto?.url ?? '';
  console.log(
    `> rehearsing against ${moto ? `${MOTO_SERVER} (pid ${moto.pid}) at` : 'the emulator at'} ${endpoint}; work folder ${workDir}`,
  );
  let ok = false;
  try {
    const sandbox = new Sandbox({
      root: options.root,
      endpoint,
      workDir,
      stage,
      verbose: options.verbose === true,
    });
    times.synth = (await timed('synth', () => sandbox.synth())).seconds;
    const { stackName } = sandbox.synthesized;
    times.init = (await timed('terraform init', () => sandbox.init())).seconds;

    const first = await timed('terraform plan', () => sandbox.plan('create'));
    times.plan = first.seconds;
    const created = ((await first.value.json()).resource_changes ?? []).filter((c) => c.mode === 'managed');
    const notCreate = created.filter((c) => actionOf(c) !== 'create');
    if (notCreate.length > 0) {
      throw new UserError(
        `the first plan should only create, but: ${notCreate.map((c) => c.address).join(', ')}`,
      );
    }
    times.apply = (await timed('terraform apply', () => sandbox.apply(first.value.file))).seconds;

    const outputs = await sandbox.outputs();
    const region = outputs.region ?? 'us-east-1';
    const checks = await timed('checking outputs, the data bucket and the web client', () =>
      checkApplied(endpoint, outputs, sandbox.declaredOutputs(), stage),
    );
    if (checks.value.length > 0) {
      throw new UserError(`the applied stack is not right:\n  - ${checks.value.join('\n  - ')}`);
    }
    times.checks = checks.seconds;

    const drift = (await timed('terraform plan (must converge)', () => converged(sandbox, times))).value;

    // The teardown of docs/deploy.md: turn deletion protection off and let destroy empty the buckets.
    times.teardown = (
      await timed('teardown settings (deletion protection off, force destroy on)', () =>
        teardownSettings(sandbox),
      )
    ).seconds;
    const destroyed = await timed('terraform destroy', async () => {
      const plan = await sandbox.plan('destroy', { destroy: true });
      await sandbox.apply(plan.file);
    });
    times.destroy = destroyed.seconds;

    const left = await sandbox.stateList();
    if (left.length > 0)
      throw new UserError(`destroy left ${left.length} resources in the state: ${left.join(', ')}`);
    const remaining = leftovers(await emulatorInventory(endpoint, region), `streamdrop-${stage}`);
    if (Object.keys(remaining).length > 0) {
      throw new UserError(`destroy left resources in the emulator: ${JSON.stringify(remaining)}`);
    }
    ok = true;
    return {
      stackName,
      endpoint,
      resources: created.length,
      outputs,
      drift,
      times,
      workDir: options.keep ? workDir : undefined,
    };
  } finally {
    await moto?.stop();
    if (ok && !options.keep) rmSync(workDir, { recursive: true, force: true });
    else console.log(`  work folder kept: ${workDir}`);
  }
}
