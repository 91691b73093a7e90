import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { step, UserError } from '@streamdrop/cli-kit';
import { stackName } from '@streamdrop/config';
import { buildFunctions, listFunctions } from '../build';
import { buildWeb } from '../build-web';
import { OFFLINE_DATA_DIR, offlineEnv, writeOfflineOverride } from './offline';

export { endpointOf } from './endpoint';

import { bundlesDirOf, lockFileOf, offlineOutdirOf, outdirOf, stateDirOf, webDirOf } from './paths';
import {
  type CliConfigResult,
  prepareCliConfig,
  requireTerraform,
  runTerraform,
  terraformEnv,
  terraformOrFail,
} from './terraform';

export interface SynthResult {
  readonly stackName: string;
  /** `<outdir>/stacks/<stack>`: where terraform runs. */
  readonly stackDir: string;
  readonly stackFile: string;
  /** The hashicorp/aws version the stack pins (cdk.tf.json required_providers). */
  readonly awsProviderVersion: string | undefined;
}

/** What a synth wrote: every stack, and first among them the one of the default stage. */
export interface SynthOutput extends SynthResult {
  /** Every stack of the app, one per stage of STREAMDROP_STAGES, as the manifest lists them. */
  readonly stacks: readonly SynthResult[];
}

export interface SynthOptions {
  readonly root: string;
  readonly env: NodeJS.ProcessEnv;
  /** Rebuild the bundles first (default); false reuses dist/functions as it is. */
  readonly build: boolean;
  /** Print what the build and the synth do (default); false keeps quiet unless something fails. */
  readonly verbose?: boolean;
}

/** The stage named by `--stage`, else STREAMDROP_STAGE, else dev (the configuration reference's default). */
export function stageOf(env: NodeJS.ProcessEnv, stage?: string): string {
  return stage?.trim() || env.STREAMDROP_STAGE?.trim() || 'dev';
}

/** Env for children with `--stage` applied. */
export function withStage(env: NodeJS.ProcessEnv, stage: string | undefined): NodeJS.ProcessEnv {
  return stage ? { ...env, STREAMDROP_STAGE: stage } : { ...env };
}

/** What Terraform reads as configuration in its working folder: every `*.tf` and `*.tf.json`. */
const TERRAFORM_CONFIG_FILE = /\.tf(\.json)?$/;

/**
 * Makes each synthesized stack folder exactly what the app declares, whoever synthesized it
 * (`pnpm synth`, `cdktf synth`). Terraform reads every `*.tf`/`*.tf.json` of its working folder
 * and merges `*_override.tf.json` into the rest, so any such file left behind would change the
 * next plan (an old offline override swapped the backend for a throwaway state): all are
 * removed but the synthesized one. And the committed `infra/.terraform.lock.hcl` is copied in,
 * so that every init checks the providers against the same hashes (and cdktf, finding a lock
 * file that matches, does not run `terraform providers lock`, which needs the registry).
 * Returns what was removed, as paths relative to `root`.
 */
export function prepareStackFolders(root: string, stacks: readonly SynthResult[]): string[] {
  const removed: string[] = [];
  const lockFile = lockFileOf(root);
  for (const stack of stacks) {
    for (const name of readdirSync(stack.stackDir)) {
      const path = join(stack.stackDir, name);
      if (!TERRAFORM_CONFIG_FILE.test(name) || path === stack.stackFile) continue;
      rmSync(path, { force: true });
      removed.push(relative(root, path));
    }
    if (existsSync(lockFile)) copyFileSync(lockFile, join(stack.stackDir, '.terraform.lock.hcl'));
  }
  return removed;
}

/**
 * The Terraform CLI configuration both our scripts and cdktf use (`TF_CLI_CONFIG_FILE`):
 * `.state/terraformrc`, with the provider mirror when there is one (see terraform-config.ts).
 */
export function writeCliConfig(
  root: string,
  stack: Pick<SynthResult, 'awsProviderVersion'>,
): CliConfigResult {
  return prepareCliConfig(stateDirOf(root), {
    ...(stack.awsProviderVersion ? { awsProviderVersion: stack.awsProviderVersion } : {}),
  });
}

function missingBundles(root: string, env: NodeJS.ProcessEnv): string[] {
  const dir = bundlesDirOf(root, env);
  return listFunctions(root).filter((name) => !existsSync(join(dir, name, 'index.mjs')));
}

/**
 * Builds (unless told not to), runs the CDKTF app (infra/src/main.ts) with tsx, and prepares
 * every stack folder (prepareStackFolders). What `pnpm synth` and `cdktf synth` (through
 * scripts/src/app.ts) both do.
 */
export async function synthesize(options: SynthOptions): Promise<SynthOutput> {
  const { root, env } = options;
  const verbose = options.verbose !== false;
  const progress = (label: string) => (verbose ? step(label) : () => {});
  if (options.build) {
    const done = progress('bundling functions and the web client');
    const bundles = await buildFunctions({ root, outDir: bundlesDirOf(root, env), quiet: !verbose });
    // The stack uploads the web client (STREAMDROP_WEB_HOSTING), and npm start serves it.
    const web = await buildWeb({ root, outDir: webDirOf(root, env), quiet: !verbose });
    done(`${bundles.length} bundle(s) and the web client (${web.files.length} files)`);
  } else {
    const missing = missingBundles(root, env);
    if (missing.length > 0) {
      throw new UserError(
        `no bundle for ${missing.join(', ')} in ${bundlesDirOf(root, env)}: run \`pnpm build\` first`,
      );
    }
  }

  const done = progress('synthesizing infra/src/main.ts');
  const child = await new Promise<{ code: number; output: string }>((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', join('infra', 'src', 'main.ts')], {
      cwd: root,
      env,
      stdio: verbose ? 'inherit' : ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const keep = (chunk: Buffer) => {
      output += chunk.toString();
    };
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    proc.on('error', reject);
    proc.on('close', (c) => resolve({ code: c ?? 1, output }));
  });
  const { code } = child;
  // Quiet, the app's own words are the error's: they say what to fix.
  const said = verbose ? ' (see its output above)' : `:\n${child.output.trim()}`;
  // main.ts exits 2 for configuration and missing-bundle errors, after printing what to fix.
  if (code === 2) {
    throw new UserError(
      verbose ? 'synth stopped: fix what is reported above and run it again' : `synth stopped${said}`,
    );
  }
  if (code !== 0) throw new UserError(`synth failed with exit code ${code}${said}`);

  const stacks = readManifest(outdirOf(root, env));
  for (const path of prepareStackFolders(root, stacks)) {
    console.warn(
      `  removed ${path}: Terraform would have read it into the next plan (configuration belongs in the app)`,
    );
  }
  const stack = selectStack(stacks, stageOf(env));
  done(stacks.map((s) => s.stackName).join(', '));
  return { ...stack, stacks };
}

/** The stack of `stage` among those synthesized; an error names the ones there are. */
export function selectStack(stacks: readonly SynthResult[], stage: string): SynthResult {
  const name = stackName(stage);
  const found = stacks.find((s) => s.stackName === name);
  if (!found) {
    throw new UserError(
      `no stack ${name} was synthesized (stacks: ${stacks.map((s) => s.stackName).join(', ') || 'none'}); ` +
        'STREAMDROP_STAGES lists the stages to synthesize',
    );
  }
  return found;
}

/** Every stack of the app, from cdktf's manifest.json. */
export function readManifest(outdir: string): SynthResult[] {
  const path = join(outdir, 'manifest.json');
  if (!existsSync(path)) throw new UserError(`${path} not found: synth did not write its output`);
  const manifest: unknown = JSON.parse(readFileSync(path, 'utf8'));
  const stacks =
    manifest &&
    typeof manifest === 'object' &&
    'stacks' in manifest &&
    manifest.stacks &&
    typeof manifest.stacks === 'object'
      ? Object.values(manifest.stacks as Record<string, unknown>)
      : [];
  if (stacks.length === 0) throw new UserError(`${path} lists no stack`);
  return stacks.map((value) => {
    const entry = (value ?? {}) as {
      name?: unknown;
      workingDirectory?: unknown;
      synthesizedStackPath?: unknown;
    };
    if (typeof entry.name !== 'string' || typeof entry.workingDirectory !== 'string') {
      throw new UserError(`${path} does not look like a cdktf manifest`);
    }
    const stackDir = join(outdir, entry.workingDirectory);
    const stackFile = join(
      outdir,
      typeof entry.synthesizedStackPath === 'string' ? entry.synthesizedStackPath : '',
    );
    return { stackName: entry.name, stackDir, stackFile, awsProviderVersion: awsProviderVersion(stackFile) };
  });
}

function awsProviderVersion(stackFile: string): string | undefined {
  try {
    const json = JSON.parse(readFileSync(stackFile, 'utf8')) as {
      terraform?: { required_providers?: { aws?: { version?: unknown } } };
    };
    const version = json.terraform?.required_providers?.aws?.version;
    return typeof version === 'string' && /^\d+\.\d+\.\d+$/.test(version) ? version : undefined;
  } catch {
    return undefined;
  }
}

export interface PreparedStack extends SynthResult {
  /** Env for terraform children. */
  readonly env: NodeJS.ProcessEnv;
  readonly offline: boolean;
  /** The AWS endpoint every service is called at (an emulator), when not AWS itself. */
  readonly endpoint: string | undefined;
}

export interface PrepareOptions {
  readonly root: string;
  readonly offline: boolean;
  readonly stage?: string | undefined;
  readonly build: boolean;
  /** `--endpoint-url`: call every AWS service there (AWS_ENDPOINT_URL), e.g. moto or LocalStack. */
  readonly endpoint?: string | undefined;
}

/**
 * terraform on PATH, a fresh synth, our CLI config, and the mode: against AWS (your credentials),
 * against an emulator endpoint (AWS_ENDPOINT_URL for every service; the same stack folder and
 * state as cdktf), or offline. Offline plans never touch cdktf.out: they synthesize into
 * .state/offline-plan with their override, fake credentials and a throwaway local state, so
 * nothing they leave behind can redirect a real plan, ours or cdktf's.
 */
export async function prepareStack(options: PrepareOptions): Promise<PreparedStack> {
  const version = requireTerraform();
  if (options.offline && options.endpoint) {
    throw new UserError(
      '--offline plans without any AWS API; --endpoint-url plans against one. Choose one of them.',
    );
  }
  const synthEnv = withStage(process.env, options.stage);
  if (options.offline) synthEnv.CDKTF_OUTDIR = offlineOutdirOf(options.root);
  const synth = await synthesize({ root: options.root, env: synthEnv, build: options.build });

  const cli = writeCliConfig(options.root, synth);
  console.log(
    `  terraform ${version}; providers from ${cli.mirror ? `the mirror ${cli.mirror}` : 'the Terraform registry'}`,
  );

  let env = terraformEnv(synthEnv, cli.path);
  if (options.offline) {
    writeOfflineOverride(synth.stackDir);
    env = offlineEnv(env);
    console.log(
      `  offline: fake credentials, account lookups skipped, throwaway local state in ${relative(options.root, synth.stackDir)}, data dir ${OFFLINE_DATA_DIR}`,
    );
  } else if (options.endpoint) {
    env = { ...env, AWS_ENDPOINT_URL: options.endpoint };
    console.log(`  every AWS API at ${options.endpoint} (AWS_ENDPOINT_URL), with your credentials`);
  }
  return {
    ...synth,
    env,
    offline: options.offline,
    endpoint: options.offline ? undefined : options.endpoint,
  };
}

/** terraform init (offline runs re-initialize their own data dir: the backend there is a throwaway). */
export async function initStack(stack: PreparedStack): Promise<void> {
  const done = step('terraform init');
  await terraformOrFail('init', ['init', '-input=false', ...(stack.offline ? ['-reconfigure'] : [])], {
    cwd: stack.stackDir,
    env: stack.env,
  });
  done();
}

export interface PlanResult {
  readonly planFile: string;
  /** False when Terraform found nothing to do. */
  readonly changes: boolean;
}

/** terraform plan -out=<file>; prints the plan. */
export async function planToFile(
  stack: PreparedStack,
  options: { readonly destroy?: boolean } = {},
): Promise<PlanResult> {
  const name = options.destroy ? 'destroy.tfplan' : 'plan.tfplan';
  const done = step(options.destroy ? 'terraform plan -destroy' : 'terraform plan');
  const args = [
    'plan',
    '-input=false',
    '-detailed-exitcode',
    `-out=${name}`,
    ...(options.destroy ? ['-destroy'] : []),
  ];
  // Never leave an older plan file behind that a failed run could be mistaken for.
  rmSync(join(stack.stackDir, name), { force: true });
  const result = await runTerraform(args, { cwd: stack.stackDir, env: stack.env });
  if (result.code !== 0 && result.code !== 2) {
    const hint = stack.offline
      ? ''
      : stack.endpoint
        ? ` An emulator takes any access keys, but they must be set: export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test.`
        : ' If you have no AWS credentials here, configure them (e.g. AWS_PROFILE) or run `pnpm plan:offline`.';
    throw new UserError(`terraform plan failed with exit code ${result.code} (see its output above).${hint}`);
  }
  const planFile = join(stack.stackDir, name);
  done(result.code === 2 ? `saved to ${planFile}` : 'no changes');
  return { planFile, changes: result.code === 2 };
}

/**
 * Asks y/N on a terminal. Without a terminal (CI, pipes) it refuses: applying needs either a
 * person reading the plan or an explicit --auto-approve.
 */
export async function confirm(
  question: string,
  options: {
    readonly autoApprove: boolean;
    readonly input?: NodeJS.ReadableStream & { isTTY?: boolean };
    readonly output?: NodeJS.WritableStream & { isTTY?: boolean };
  },
): Promise<boolean> {
  if (options.autoApprove) return true;
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stdout;
  if (!input.isTTY || !output.isTTY) {
    throw new UserError(
      'no terminal to confirm on. Review the plan above and re-run with --auto-approve (e.g. in CI).',
    );
  }
  const rl = createInterface({ input, output });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

/** Applies exactly the saved plan (terraform does not prompt for a saved plan). */
export async function applyPlan(stack: PreparedStack, planFile: string): Promise<void> {
  const done = step('terraform apply');
  await terraformOrFail('apply', ['apply', '-input=false', planFile], {
    cwd: stack.stackDir,
    env: stack.env,
  });
  done();
}

export interface PlanAndApplyOptions {
  readonly root: string;
  readonly stage: string | undefined;
  readonly build: boolean;
  /** `--endpoint-url` / AWS_ENDPOINT_URL: an emulator instead of AWS. */
  readonly endpoint?: string | undefined;
  /** Plan the destruction of the whole stack instead of its creation or update. */
  readonly destroy: boolean;
  readonly autoApprove: boolean;
}

/**
 * `stack:deploy` and `stack:destroy`: synth, init, plan to a file, show it, ask, then apply
 * exactly that saved plan. Resolves with the exit code (1 when the answer was no).
 */
export async function planAndApply(options: PlanAndApplyOptions): Promise<number> {
  const stack = await prepareStack({
    root: options.root,
    offline: false,
    stage: options.stage,
    build: options.build,
    endpoint: options.endpoint,
  });
  await initStack(stack);
  const plan = await planToFile(stack, { destroy: options.destroy });
  if (!plan.changes) {
    console.log(
      options.destroy
        ? `${stack.stackName} has nothing to destroy.`
        : `${stack.stackName} is up to date; nothing to apply.`,
    );
    return 0;
  }
  const question = options.destroy
    ? `Destroy every resource of ${stack.stackName} listed above? This cannot be undone.`
    : `Apply this plan to ${stack.stackName}?`;
  if (!(await confirm(question, { autoApprove: options.autoApprove }))) {
    console.log(options.destroy ? 'Nothing destroyed.' : 'Not applied.');
    return 1;
  }
  await applyPlan(stack, plan.planFile);
  return 0;
}
