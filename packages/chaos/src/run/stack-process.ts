import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import {
  assertPortFree,
  findLocalConfig,
  type LocalConfig,
  portFlags,
  type StackPorts,
} from '@streamdrop/local';
import { ChaosError } from '../errors';

/** How to start the local stack: a TypeScript entry point taking `npm start`'s flags. */
export interface StackCommand {
  /** e.g. packages/cli/src/start.ts */
  entry: string;
  /** Where it runs (tsx is resolved from there). */
  cwd: string;
}

export interface StackProcessOptions {
  command: StackCommand;
  stateDir: string;
  ports: StackPorts;
  /** Further `npm start` flags (faults, --s3-version-log, --shards…). */
  args: string[];
  /** Where the stack's output goes (appended across restarts). */
  logFile: string;
  readyTimeoutMs?: number;
}

/** `npm start` (its entry point) in its own process group, so that all of it can be SIGKILLed at once. */
export interface StackProcess {
  pid: number;
  config: LocalConfig;
  /** SIGKILL to the whole process group: the stack, its emulators, its function workers. */
  kill(): Promise<void>;
  /** Ctrl-C: a clean stop. */
  stop(): Promise<void>;
}

function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

const exitOf = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });

export async function startStackProcess(options: StackProcessOptions): Promise<StackProcess> {
  const { ports } = options;
  // After a SIGKILL the kernel frees the ports at once; wait in case it has not quite yet.
  for (const [name, port] of Object.entries(ports)) {
    for (let i = 0; ; i += 1) {
      try {
        await assertPortFree(name, port);
        break;
      } catch (error) {
        if (i >= 50) throw error;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }
  const out = openSync(options.logFile, 'a');
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      options.command.entry,
      '--state-dir',
      options.stateDir,
      ...portFlags(ports),
      '--quiet',
      ...options.args,
    ],
    { cwd: options.command.cwd, detached: true, stdio: ['ignore', out, out] },
  );
  closeSync(out);
  const pid = child.pid;
  if (pid === undefined) throw new ChaosError('could not start the local stack process');
  const exited = exitOf(child);
  const deadline = Date.now() + (options.readyTimeoutMs ?? 90_000);
  let config: LocalConfig | undefined;
  for (;;) {
    config = findLocalConfig(options.stateDir);
    // A local.json left by a SIGKILLed stack names another pid: wait for this one's.
    if (config?.pid === pid) break;
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new ChaosError(`the local stack exited while starting:\n${tail(options.logFile)}`);
    }
    if (Date.now() > deadline) {
      process.kill(-pid, 'SIGKILL');
      throw new ChaosError(
        `the local stack was not ready within ${(options.readyTimeoutMs ?? 90_000) / 1000} s:\n${tail(options.logFile)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    pid,
    config,
    async kill() {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
      await exited;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      // To the entry point only: it stops its own emulators (a group-wide SIGINT would race it).
      child.kill('SIGINT');
      const timer = setTimeout(() => {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          // gone
        }
      }, 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
