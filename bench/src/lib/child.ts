import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { envReader } from '@streamdrop/config';
import { defaultStackFile } from '@streamdrop/local';

export type Env = Record<string, string>;

/** What a fresh process gets: no inherited AWS profile or proxy settings, nothing but these. */
export function cleanEnv(extra: Env = {}): Env {
  const env: Env = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'LANG']) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return { ...env, ...extra };
}

/** Credentials and region the way Lambda hands them to a function (fake values: stubs check nothing). */
export const LAMBDA_ENV: Env = {
  AWS_REGION: 'us-east-1',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIDBENCHEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'bench-secret',
  AWS_SESSION_TOKEN: 'bench-session-token',
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
  // The SDK warns once per process about Node 20's end of life; Lambda runs nodejs22.x.
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

/**
 * The environment the synthesized stack gives `function` (`cdk.tf.json`), minus the values
 * Terraform fills in at apply time (`${…}`): NODE_OPTIONS, PROCESSOR_CONCURRENCY and the like.
 * Empty when there is no synthesized stack.
 */
export function stackEnvironment(root: string, functionSuffix: string, stage = 'dev'): Env {
  const file = defaultStackFile(root, stage);
  if (!existsSync(file)) return {};
  const stack = JSON.parse(readFileSync(file, 'utf8')) as {
    resource?: {
      aws_lambda_function?: Record<
        string,
        { function_name?: string; environment?: { variables?: Record<string, string> } }
      >;
    };
  };
  const fn = Object.values(stack.resource?.aws_lambda_function ?? {}).find((f) =>
    f.function_name?.endsWith(`-${functionSuffix}`),
  );
  return Object.fromEntries(
    Object.entries(fn?.environment?.variables ?? {}).filter(([, value]) => !value.includes('${')),
  );
}

export interface WorkerOptions {
  readonly env: Env;
  readonly timeoutMs?: number;
}

/**
 * Runs a worker script in a fresh `node` process and resolves with the one message it sends
 * over IPC. Its stdout (the function's log lines) goes nowhere; stderr is kept for errors.
 */
export function runWorker<T>(script: string, args: readonly string[], options: WorkerOptions): Promise<T> {
  return new Promise((resolve, reject) => {
    // pnpm bench --cpu-prof <dir>: every worker writes a V8 CPU profile there.
    const profile = envReader(process.env).optional('STREAMDROP_BENCH_CPU_PROF');
    const flags = profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [];
    const child = spawn(process.execPath, [...flags, script, ...args], {
      env: options.env,
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    let message: T | undefined;
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-4000);
    });
    child.on('message', (m) => {
      message = m as T;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 300_000);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (message !== undefined) resolve(message);
      else reject(new Error(`${script} exited with ${signal ?? code} before reporting\n${stderr}`));
    });
  });
}

/** Wall-clock milliseconds from spawning `node <args>` to its exit; rejects on a non-zero exit. */
export function timeNode(args: readonly string[], env: Env): Promise<number> {
  return timeCommand(process.execPath, args, { env });
}

export interface CommandOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Called with every chunk of stdout, e.g. to echo progress. */
  readonly onStdout?: (chunk: string) => void;
}

/** Wall-clock milliseconds of a command; rejects with the tail of its output when it fails. */
export function timeCommand(
  command: string,
  args: readonly string[],
  options: CommandOptions = {},
): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-4000);
    };
    child.stdout.on('data', (chunk: Buffer) => {
      keep(chunk);
      options.onStdout?.(chunk.toString('utf8'));
    });
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      const ms = performance.now() - started;
      if (code === 0) resolve(ms);
      else reject(new Error(`${command} ${args.join(' ')} exited with ${signal ?? code}\n${output}`));
    });
  });
}
