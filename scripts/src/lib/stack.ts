import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { step, UserError } from '@streamdrop/cli-kit';
import { buildFunctions, listFunctions } from '../build';
import { OFFLINE_DATA_DIR, offlineEnv, removeOfflineOverride, writeOfflineOverride } from './offline';
import { bundlesDirOf, outdirOf, stateDirOf } from './paths';
import { prepareCliConfig, requireTerraform, runTerraform, terraformEnv, terraformOrFail } from './terraform';

export interface SynthResult {
  readonly stackName: string;
  /** `<outdir>/stacks/<stack>`: where terraform runs. */
  readonly stackDir: string;
  readonly stackFile: string;
  /** The hashicorp/aws version the stack pins (cdk.tf.json required_providers). */
  readonly awsProviderVersion: string | undefined;
}

export interface SynthOptions {
  readonly root: string;
  readonly env: NodeJS.ProcessEnv;
  /** Rebuild the bundles first (default); false reuses dist/functions as it is. */
  readonly build: boolean;
}

/** Env for children with `--stage` applied. */
export function withStage(env: NodeJS.ProcessEnv, stage: string | undefined): NodeJS.ProcessEnv {
  return stage ? { ...env, STREAMDROP_STAGE: stage } : { ...env };
}

function missingBundles(root: string, env: NodeJS.ProcessEnv): string[] {
  const dir = bundlesDirOf(root, env);
  return listFunctions(root).filter((name) => !existsSync(join(dir, name, 'index.mjs')));
}

/** Builds (unless told not to) and runs the CDKTF app (infra/src/main.ts) with tsx. */
export async function synthesize(options: SynthOptions): Promise<SynthResult> {
  const { root, env } = options;
  if (options.build) {
    const done = step('bundling functions');
    const bundles = await buildFunctions({ root, outDir: bundlesDirOf(root, env) });
    done(`${bundles.length} bundle(s)`);
  } else {
    const missing = missingBundles(root, env);
    if (missing.length > 0) {
      throw new UserError(
        `no bundle for ${missing.join(', ')} in ${bundlesDirOf(root, env)}: run \`pnpm build\` first`,
      );
    }
  }

  const done = step('synthesizing infra/src/main.ts');
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join('infra', 'src', 'main.ts')], {
      cwd: root,
      env,
      stdio: 'inherit',
    });
    child.on('error', reject);
    child.on('close', (c) => resolve(c ?? 1));
  });
  // main.ts exits 2 for configuration and missing-bundle errors, after printing what to fix.
  if (code === 2) throw new UserError('synth stopped: fix what is reported above and run it again');
  if (code !== 0) throw new UserError(`synth failed with exit code ${code} (see its output above)`);

  const result = readManifest(outdirOf(root, env));
  // A plain synth output: an offline override from an earlier run must not leak into this one.
  removeOfflineOverride(result.stackDir);
  done(result.stackName);
  return result;
}

/** Finds the one stack of the app in cdktf's manifest.json. */
export function readManifest(outdir: string): SynthResult {
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
  const first = stacks[0];
  if (stacks.length !== 1 || !first || typeof first !== 'object') {
    throw new UserError(`expected exactly one stack in ${path}, found ${stacks.length}`);
  }
  const entry = first as { name?: unknown; workingDirectory?: unknown; synthesizedStackPath?: unknown };
  if (typeof entry.name !== 'string' || typeof entry.workingDirectory !== 'string') {
    throw new UserError(`${path} does not look like a cdktf manifest`);
  }
  const stackDir = join(outdir, entry.workingDirectory);
  const stackFile = join(
    outdir,
    typeof entry.synthesizedStackPath === 'string' ? entry.synthesizedStackPath : '',
  );
  return { stackName: entry.name, stackDir, stackFile, awsProviderVersion: awsProviderVersion(stackFile) };
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
}

export interface PrepareOptions {
  readonly root: string;
  readonly offline: boolean;
  readonly stage?: string | undefined;
  readonly build: boolean;
}

/** terraform on PATH, a fresh synth, our CLI config, and (offline) the override and fake credentials. */
export async function prepareStack(options: PrepareOptions): Promise<PreparedStack> {
  const version = requireTerraform();
  const synthEnv = withStage(process.env, options.stage);
  const synth = await synthesize({ root: options.root, env: synthEnv, build: options.build });

  const cli = prepareCliConfig(stateDirOf(options.root), {
    ...(synth.awsProviderVersion ? { awsProviderVersion: synth.awsProviderVersion } : {}),
  });
  console.log(
    `  terraform ${version}; providers from ${cli.mirror ? `the mirror ${cli.mirror}` : 'the Terraform registry'}`,
  );

  let env = terraformEnv(synthEnv, cli.path);
  if (options.offline) {
    writeOfflineOverride(synth.stackDir);
    env = offlineEnv(env);
    console.log(
      `  offline: fake credentials, account lookups skipped, throwaway local state, data dir ${OFFLINE_DATA_DIR}`,
    );
  }
  return { ...synth, env, offline: options.offline };
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
