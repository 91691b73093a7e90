import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { step, UserError } from '@streamdrop/cli-kit';
import { z } from 'zod';
import { fakeCredentialsEnv } from './offline';
import { type PlanJson, parsePlanJson } from './plan-json';
import { type SynthResult, synthesize, withStage } from './stack';
import { prepareCliConfig, runTerraform, type TerraformResult, terraformEnv } from './terraform';

/** Merged by Terraform into cdk.tf.json (like the offline override), never edited into it. */
export const EMULATOR_OVERRIDE_FILE = 'emulator_override.tf.json';

/** Every AWS service the stack's provider calls, by the provider's `endpoints` names. */
export const EMULATED_SERVICES = [
  'apigatewayv2',
  'cloudfront',
  'cloudwatch',
  'cloudwatchlogs',
  'cognitoidp',
  'dynamodb',
  'iam',
  'kinesis',
  'kms',
  'lambda',
  's3',
  'sns',
  'sqs',
  'sts',
] as const;

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isTlsOnlyStatement(statement: unknown): boolean {
  if (!isRecord(statement) || statement.effect !== 'Deny' || !Array.isArray(statement.condition))
    return false;
  return statement.condition.some((c) => isRecord(c) && c.variable === 'aws:SecureTransport');
}

/**
 * moto's one gap that the stack trips over: it evaluates a bucket policy's Deny on object
 * requests without its Condition, so the TLS-only statement (Deny s3:* when
 * aws:SecureTransport is false) denies every object request, and we talk to moto over plain
 * HTTP anyway. The smallest change that keeps the policy: the same statements, with the
 * `<bucket arn>/*` resources dropped from the TLS-only ones. The policies are still put, read
 * back and destroyed; only object requests escape the Deny. Returns the `data` override, or
 * undefined when the stack has no such policy.
 */
export function tlsOnlyPolicyOverride(stack: unknown): Json | undefined {
  const documents = isRecord(stack) && isRecord(stack.data) ? stack.data.aws_iam_policy_document : undefined;
  if (!isRecord(documents)) return undefined;
  const overrides: Json = {};
  for (const [name, document] of Object.entries(documents)) {
    if (!isRecord(document) || !Array.isArray(document.statement)) continue;
    if (!document.statement.some(isTlsOnlyStatement)) continue;
    // An override's nested blocks replace all the original's blocks of that type: repeat them all.
    overrides[name] = {
      statement: document.statement.map((statement: unknown) =>
        isTlsOnlyStatement(statement) && isRecord(statement) && Array.isArray(statement.resources)
          ? {
              ...statement,
              resources: statement.resources.filter((r) => !(typeof r === 'string' && r.endsWith('/*'))),
            }
          : statement,
      ),
    };
  }
  return Object.keys(overrides).length > 0 ? { aws_iam_policy_document: overrides } : undefined;
}

/**
 * What moto 5.2.1 does not implement, and the smallest change that lets the rest of the stack be
 * rehearsed (the rehearsal then does not check these; docs/deploy.md lists them):
 * - S3 request metrics configurations (PutBucketMetricsConfiguration): the on-failure filter
 *   (aws_s3_bucket_metric) is left out (count = 0); the alarm that reads it names it literally.
 * - Lambda's logging_config (JSON log format): moto stores no LoggingConfig, so every plan would
 *   put it back; its changes are ignored.
 * - CloudFront response headers policies (the API is absent: 404): left out (count = 0), and the
 *   distributions' default cache behavior is repeated without its response_headers_policy_id.
 * - CloudFront distributions: moto drops the origin's origin_access_control_id, fills
 *   ssl_support_method in the viewer certificate and legacy forwarded_values in the cache behavior,
 *   so every plan would put them back; changes of those three blocks are ignored.
 * Returns the `resource` override, or undefined when the stack has none of them.
 */
export function motoGapsOverride(stack: unknown): Json | undefined {
  const resource = isRecord(stack) && isRecord(stack.resource) ? stack.resource : {};
  const override: Json = {};
  const metrics = isRecord(resource.aws_s3_bucket_metric) ? Object.keys(resource.aws_s3_bucket_metric) : [];
  if (metrics.length > 0) {
    override.aws_s3_bucket_metric = Object.fromEntries(metrics.map((name) => [name, { count: 0 }]));
  }
  const functions = isRecord(resource.aws_lambda_function) ? resource.aws_lambda_function : {};
  const logging = Object.entries(functions).filter(
    ([, fn]) => isRecord(fn) && fn.logging_config !== undefined,
  );
  if (logging.length > 0) {
    override.aws_lambda_function = Object.fromEntries(
      logging.map(([name]) => [name, { lifecycle: { ignore_changes: ['logging_config'] } }]),
    );
  }
  const headers = isRecord(resource.aws_cloudfront_response_headers_policy)
    ? Object.keys(resource.aws_cloudfront_response_headers_policy)
    : [];
  if (headers.length > 0) {
    override.aws_cloudfront_response_headers_policy = Object.fromEntries(
      headers.map((name) => [name, { count: 0 }]),
    );
  }
  const distributions = isRecord(resource.aws_cloudfront_distribution)
    ? Object.entries(resource.aws_cloudfront_distribution)
    : [];
  if (distributions.length > 0) {
    override.aws_cloudfront_distribution = Object.fromEntries(
      distributions.map(([name, distribution]) => {
        const behavior = isRecord(distribution) ? distribution.default_cache_behavior : undefined;
        const { response_headers_policy_id: _, ...rest } = isRecord(behavior) ? behavior : {};
        return [
          name,
          {
            // An override's nested block replaces the original's: the same behavior, without the policy.
            ...(isRecord(behavior) ? { default_cache_behavior: rest } : {}),
            lifecycle: { ignore_changes: ['origin', 'viewer_certificate', 'default_cache_behavior'] },
          },
        ];
      }),
    );
  }
  return Object.keys(override).length > 0 ? override : undefined;
}

/**
 * The override that points the real stack at an emulator: every service endpoint, path-style
 * S3, no credential check, the account id asked of the emulator's STS (a skipped lookup leaves
 * the API's execution ARN without an account), a throwaway local state, and the TLS-only
 * policy change above.
 */
export function emulatorOverride(options: {
  readonly endpoint: string;
  readonly stateFile: string;
  readonly stack: unknown;
}): Json {
  const data = tlsOnlyPolicyOverride(options.stack);
  const resource = motoGapsOverride(options.stack);
  return {
    provider: {
      aws: [
        {
          endpoints: [Object.fromEntries(EMULATED_SERVICES.map((service) => [service, options.endpoint]))],
          s3_use_path_style: true,
          skip_credentials_validation: true,
          skip_requesting_account_id: false,
          // provider-aws 5.x types this one as a string.
          skip_metadata_api_check: 'true',
        },
      ],
    },
    terraform: { backend: { local: { path: options.stateFile } } },
    ...(data ? { data } : {}),
    ...(resource ? { resource } : {}),
  };
}

export interface SandboxPlan {
  readonly file: string;
  readonly changes: boolean;
  readonly seconds: number;
  /** `terraform show -json` of the plan (it loads the provider schema again: a few seconds). */
  json(): Promise<PlanJson>;
}

export interface SandboxOptions {
  readonly root: string;
  /** The emulator, e.g. http://127.0.0.1:40123 */
  readonly endpoint: string;
  /** A fresh folder for synth output, bundles, state and terraform's data dir. */
  readonly workDir: string;
  readonly stage: string;
  /** Stream terraform's own output instead of keeping it for error messages. */
  readonly verbose?: boolean;
}

const outputsSchema = z.record(z.string(), z.looseObject({ value: z.unknown() }));

function seconds(since: number): number {
  return Math.round((performance.now() - since) / 100) / 10;
}

/**
 * The real stack, synthesized into a folder of its own and driven by terraform against an AWS
 * emulator, with its own state and data dir: nothing in the checkout (cdktf.out, dist, .state)
 * is read or written.
 */
export class Sandbox {
  readonly stateFile: string;
  private stack: SynthResult | undefined;
  private terraformEnv: NodeJS.ProcessEnv | undefined;

  constructor(private readonly options: SandboxOptions) {
    this.stateFile = join(options.workDir, 'terraform.tfstate');
  }

  /** Env of terraform children: our CLI config (+ mirror), fake keys, a data dir of our own. */
  private get env(): NodeJS.ProcessEnv {
    if (!this.terraformEnv) throw new Error('synth first');
    return this.terraformEnv;
  }

  /** The synthesized stack (after `synth`). */
  get synthesized(): SynthResult {
    if (!this.stack) throw new Error('synth first');
    return this.stack;
  }

  /**
   * Builds and synthesizes with `config` on top of the environment, then writes the override.
   * `edit` may change the synthesized JSON first, standing in for a code change.
   */
  async synth(config: Readonly<Record<string, string>> = {}, edit?: (stack: Json) => void): Promise<number> {
    const started = performance.now();
    const env: NodeJS.ProcessEnv = {
      ...withStage(process.env, this.options.stage),
      // This stage alone, whatever stages the shell lists for the real app.
      STREAMDROP_STAGES: this.options.stage,
      ...config,
      CDKTF_OUTDIR: join(this.options.workDir, 'cdktf.out'),
      STREAMDROP_BUNDLES_DIR: join(this.options.workDir, 'functions'),
    };
    const stack = await synthesize({ root: this.options.root, env, build: true });
    const json: unknown = JSON.parse(readFileSync(stack.stackFile, 'utf8'));
    if (edit && isRecord(json)) {
      edit(json);
      writeFileSync(stack.stackFile, `${JSON.stringify(json, null, 2)}\n`);
    }
    const override = emulatorOverride({
      endpoint: this.options.endpoint,
      stateFile: this.stateFile,
      stack: json,
    });
    writeFileSync(join(stack.stackDir, EMULATOR_OVERRIDE_FILE), `${JSON.stringify(override, null, 2)}\n`);
    this.stack = stack;
    if (!this.terraformEnv) {
      const cli = prepareCliConfig(this.options.workDir, {
        ...(stack.awsProviderVersion ? { awsProviderVersion: stack.awsProviderVersion } : {}),
      });
      this.terraformEnv = terraformEnv(
        fakeCredentialsEnv(
          withStage(process.env, this.options.stage),
          join(this.options.workDir, 'terraform-data'),
        ),
        cli.path,
      );
    }
    return seconds(started);
  }

  /** The names of the outputs the synthesized stack declares. */
  declaredOutputs(): string[] {
    const json: unknown = JSON.parse(readFileSync(this.synthesized.stackFile, 'utf8'));
    return isRecord(json) && isRecord(json.output) ? Object.keys(json.output) : [];
  }

  /** Runs terraform in the stack folder; a non-zero exit (other than `ok`) throws with its output. */
  async terraform(
    what: string,
    args: readonly string[],
    ok: readonly number[] = [0],
  ): Promise<TerraformResult> {
    const capture = !this.options.verbose;
    const result = await runTerraform([...args, ...(capture ? ['-no-color'] : [])], {
      cwd: this.synthesized.stackDir,
      env: this.env,
      capture,
    });
    if (!ok.includes(result.code)) {
      const output = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-40).join('\n');
      throw new UserError(
        `terraform ${what} failed with exit code ${result.code}${capture ? `:\n${output}` : ' (see its output above)'}`,
      );
    }
    return result;
  }

  async init(): Promise<number> {
    const started = performance.now();
    await this.terraform('init', ['init', '-input=false', '-reconfigure']);
    return seconds(started);
  }

  /** terraform plan -out=<name>.tfplan (and -destroy), with its JSON. */
  async plan(name: string, options: { readonly destroy?: boolean } = {}): Promise<SandboxPlan> {
    const started = performance.now();
    const file = `${name}.tfplan`;
    const result = await this.terraform(
      'plan',
      [
        'plan',
        '-input=false',
        '-detailed-exitcode',
        `-out=${file}`,
        ...(options.destroy ? ['-destroy'] : []),
      ],
      [0, 2],
    );
    return {
      file,
      changes: result.code === 2,
      seconds: seconds(started),
      json: () => this.show(file),
    };
  }

  /** `terraform show -json` of a saved plan. */
  async show(file: string): Promise<PlanJson> {
    const shown = await runTerraform(['show', '-json', file], {
      cwd: this.synthesized.stackDir,
      env: this.env,
      capture: true,
    });
    if (shown.code !== 0) throw new UserError(`terraform show -json ${file} failed:\n${shown.stderr}`);
    return parsePlanJson(JSON.parse(shown.stdout), `terraform show -json ${file}`);
  }

  /** Applies exactly a saved plan. */
  async apply(file: string): Promise<number> {
    const started = performance.now();
    await this.terraform('apply', ['apply', '-input=false', file]);
    return seconds(started);
  }

  async outputs(): Promise<Record<string, string>> {
    const result = await runTerraform(['output', '-json'], {
      cwd: this.synthesized.stackDir,
      env: this.env,
      capture: true,
    });
    if (result.code !== 0) throw new UserError(`terraform output failed:\n${result.stderr}`);
    const parsed = outputsSchema.parse(JSON.parse(result.stdout));
    return Object.fromEntries(
      Object.entries(parsed).map(([name, output]) => [
        name,
        typeof output.value === 'string' ? output.value : JSON.stringify(output.value),
      ]),
    );
  }

  /** Addresses in the state. */
  async stateList(): Promise<string[]> {
    const result = await runTerraform(['state', 'list'], {
      cwd: this.synthesized.stackDir,
      env: this.env,
      capture: true,
    });
    // An empty or missing local state: `state list` prints nothing (older versions exit 1 on no state).
    if (result.code !== 0 && !/No state file was found/i.test(result.stderr)) {
      throw new UserError(`terraform state list failed:\n${result.stderr}`);
    }
    return result.stdout.split('\n').filter((line) => line.trim() !== '');
  }
}

/** Runs `fn` as a progress step: prints its label, then how long it took and what it found. */
export async function timed<T>(
  label: string,
  fn: () => Promise<T>,
  detail?: (value: T) => string,
): Promise<{ value: T; seconds: number }> {
  const done = step(label);
  const started = performance.now();
  const value = await fn();
  done(detail?.(value));
  return { value, seconds: seconds(started) };
}
