import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { UserError } from '@streamdrop/cli-kit';
import { findProviderMirror, renderCliConfig, terraformPlatform, writeCliConfig } from './terraform-config';

/** The env every terraform child gets: our CLI config, no update checks, no prompts. */
export function terraformEnv(base: NodeJS.ProcessEnv, cliConfigFile: string): NodeJS.ProcessEnv {
  return {
    ...base,
    TF_CLI_CONFIG_FILE: cliConfigFile,
    CHECKPOINT_DISABLE: '1',
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
  };
}

/** Fails with an actionable message when terraform is not on PATH; returns its version. */
export function requireTerraform(env: NodeJS.ProcessEnv = process.env): string {
  const result = spawnSync('terraform', ['version', '-json'], { env, encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    throw new UserError(
      'terraform was not found on PATH. Install Terraform >= 1.10 (https://developer.hashicorp.com/terraform/install) and make sure `terraform version` works in this shell.',
    );
  }
  try {
    const parsed: unknown = JSON.parse(result.stdout);
    if (parsed && typeof parsed === 'object' && 'terraform_version' in parsed) {
      return String(parsed.terraform_version);
    }
  } catch {
    // fall through: an old terraform without -json still runs
  }
  return 'unknown';
}

export interface TerraformResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunTerraformOptions {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Capture output instead of streaming it to this terminal. */
  readonly capture?: boolean;
}

/** Runs `terraform <args>`; resolves with the exit code (and output when captured). */
export function runTerraform(
  args: readonly string[],
  options: RunTerraformOptions,
): Promise<TerraformResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('terraform', [...args], {
      cwd: options.cwd,
      env: options.env,
      stdio: options.capture ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', (error) =>
      reject(
        (error as NodeJS.ErrnoException).code === 'ENOENT'
          ? new UserError('terraform was not found on PATH; install Terraform >= 1.10')
          : error,
      ),
    );
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** Runs terraform and turns a non-zero exit into a UserError naming the step. */
export async function terraformOrFail(
  what: string,
  args: readonly string[],
  options: RunTerraformOptions,
): Promise<TerraformResult> {
  const result = await runTerraform(args, options);
  if (result.code !== 0) {
    const detail = options.capture ? `\n${result.stderr || result.stdout}` : ' (see its output above)';
    throw new UserError(`terraform ${what} failed with exit code ${result.code}${detail}`);
  }
  return result;
}

export interface CliConfigResult {
  readonly path: string;
  readonly mirror: string | undefined;
}

/**
 * Writes the CLI config into `dir`, using a provider mirror when one holds the version the
 * stack pins (for this platform). The machine's TF_CLI_CONFIG_FILE is ignored on purpose.
 */
export function prepareCliConfig(
  dir: string,
  options: {
    readonly env?: NodeJS.ProcessEnv;
    readonly awsProviderVersion?: string;
    readonly roots?: string[];
  } = {},
): CliConfigResult {
  const mirror = findProviderMirror({
    ...(options.env ? { env: options.env } : {}),
    ...(options.roots ? { roots: options.roots } : {}),
    provider: {
      hostname: 'registry.terraform.io',
      namespace: 'hashicorp',
      type: 'aws',
      ...(options.awsProviderVersion ? { version: options.awsProviderVersion } : {}),
      platform: terraformPlatform(),
    },
  });
  const path = writeCliConfig(join(dir, 'terraformrc'), renderCliConfig({ mirror }));
  return { path, mirror };
}
