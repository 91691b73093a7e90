/** `npm start`'s entry point as a child process, from any folder, for tests of the command itself. */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import {
  findLocalConfig,
  freePorts,
  type LocalConfig,
  portFlags,
  repoRoot,
  type StackPorts,
} from '@streamdrop/local';
import { cliPackageDir, startEntry } from '../../src/paths';

export interface StartedProcess {
  child: ChildProcess;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with its local.json once it is ready (rejects when it exits first). */
  ready(stateDir: string, timeoutMs?: number): Promise<LocalConfig>;
  /** Ctrl-C, and wait for it to exit. */
  stop(): Promise<void>;
}

export type Ports = StackPorts;
export { freePorts, portFlags };

/** True when nothing listens on the port (127.0.0.1). */
export const isFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

/**
 * Starts `node --import tsx packages/cli/src/start.ts <args>` in `cwd`, as a person would from
 * that folder: INIT_CWD unset (or as given), STREAMDROP_ROOT naming the repository when `cwd` is
 * outside it.
 */
export function startProcess(options: {
  cwd: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
}): StartedProcess {
  const loader = require.resolve('tsx', { paths: [cliPackageDir()] });
  const env: NodeJS.ProcessEnv = { ...process.env, STREAMDROP_ROOT: repoRoot() };
  delete env.INIT_CWD;
  delete env.STREAMDROP_CALLER_CWD;
  const child = spawn(process.execPath, ['--import', loader, startEntry(), ...options.args], {
    cwd: options.cwd,
    env: { ...env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  return {
    child,
    output: () => output,
    exited,
    ready: async (stateDir, timeoutMs = 90_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (gone) throw new Error(`npm start exited before it was ready:\n${output}`);
        const config = findLocalConfig(stateDir);
        if (config && config.pid === child.pid) return config;
        if (Date.now() > deadline)
          throw new Error(`npm start was not ready within ${timeoutMs} ms:\n${output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    stop: async () => {
      if (!gone) child.kill('SIGINT');
      await exited;
    },
  };
}
