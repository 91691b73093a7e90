import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { EmulatorError, PortInUseError } from '../errors';
import type { Log } from '../types';

export interface ChildSpec {
  /** Human name used in every message, e.g. `s3rver (S3)`. */
  name: string;
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  port: number;
  /** The `npm start` option that sets the port, for the message when it is taken. */
  portFlag?: string;
  /** `ipc`: the child sends `{ready: true}`; otherwise an HTTP URL polled until it answers. */
  readiness: 'ipc' | { url: string };
  startTimeoutMs?: number;
}

export interface ChildHandle {
  name: string;
  port: number;
  pid: number;
  /** Resolves when the child exits, for whatever reason. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Last lines the child wrote to stderr, for error messages. */
  stderrTail(): string;
  stop(): Promise<void>;
}

/** Fails with PortInUseError (naming `flag`, the option that moves it) when `port` cannot be bound on 127.0.0.1. */
export async function assertPortFree(service: string, port: number, flag?: string): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(service, port, flag) : error),
    );
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}

/** True when `port` can be bound on 127.0.0.1 right now. */
const canBind = (port: number) =>
  new Promise<boolean>((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });

/** The first port the kernel hands to outgoing connections (Linux: ip_local_port_range), else 32768. */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 12_000 ? low : 32_768;
  } catch {
    return 32_768;
  }
}

const handedOut = new Set<number>();

/**
 * A port that is free right now and that no outgoing connection will take before it is bound
 * (for tests, chaos runs and `--port 0`). It is drawn below the kernel's ephemeral range: a
 * port from `listen(0)` lies inside it, so a stack that starts its emulators, and opens
 * connections to them, before binding its gateway could find that port taken by one of its own
 * client sockets (seen in CI). Never the same port twice in one process.
 */
export async function freePort(): Promise<number> {
  const high = ephemeralLow() - 1;
  const low = high - 10_000;
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = low + Math.floor(Math.random() * (high - low + 1));
    if (handedOut.has(port) || !(await canBind(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error(`no free port found between ${low} and ${high} on 127.0.0.1`);
}

async function pollUntilAnswering(url: string, child: ChildProcess, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      await fetch(url, { signal: AbortSignal.timeout(500) });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** What to do when an emulator fails: the same advice wherever it fails. */
export const RETRY_ADVICE =
  'Run `npm start` again; if it keeps happening, `npm start -- --reset` starts from empty state.';

/** `exit code 1` or `SIGKILL`. */
export function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ?? `exit code ${code}`;
}

/** The line of an emulator's last output worth quoting (its error, when it printed one), shortened. */
export function lastLine(tail: readonly string[]): string | undefined {
  const lines = [...tail].reverse().filter((l) => l.trim() !== '' && !/^\s+at |^Node\.js v\d/.test(l));
  const line = lines.find((l) => /\b[A-Za-z]*Error\b|\bE[A-Z]{3,}\b/.test(l)) ?? lines[0];
  return line === undefined ? undefined : line.trim().slice(0, 200);
}

/** Starts a child process and resolves once it is ready; rejects with a message naming the emulator. */
export async function startChild(spec: ChildSpec, log: Log): Promise<ChildHandle> {
  await assertPortFree(spec.name, spec.port, spec.portFlag);
  const child = spawn(spec.command, spec.args, {
    cwd: spec.cwd,
    env: spec.env,
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let tail: string[] = [];
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    tail = [...tail, ...chunk.split('\n').filter(Boolean)].slice(-20);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const deadline = Date.now() + (spec.startTimeoutMs ?? 30_000);
  const ready =
    spec.readiness === 'ipc'
      ? new Promise<void>((resolve) =>
          child.on('message', (m: unknown) => {
            if (typeof m === 'object' && m !== null && (m as { ready?: unknown }).ready === true) resolve();
          }),
        )
      : pollUntilAnswering(spec.readiness.url, child, deadline);
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    ready.then(() => 'ready' as const),
    exited.then(() => 'exited' as const),
    new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), Math.max(0, deadline - Date.now()));
    }),
  ]);
  clearTimeout(timer);
  if (outcome !== 'ready' || child.exitCode !== null) {
    child.kill('SIGKILL');
    // Its own words go to the log; the error itself is one line that says what to do.
    for (const line of tail) log.warn(`${spec.name}: ${line}`);
    const last = lastLine(tail);
    throw new EmulatorError(
      `${spec.name} ${
        outcome === 'timeout'
          ? `did not become ready within ${spec.startTimeoutMs ?? 30_000} ms`
          : `exited while starting (${describeExit(child.exitCode, child.signalCode)})`
      }${last ? `: ${last}` : ''}. ${RETRY_ADVICE}`,
    );
  }
  log.info(`${spec.name} listening on http://127.0.0.1:${spec.port}`);
  let stopping: Promise<void> | undefined;
  return {
    name: spec.name,
    port: spec.port,
    pid: child.pid ?? -1,
    exited,
    stderrTail: () => tail.join('\n'),
    stop() {
      stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGTERM');
        const killTimer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(killTimer);
      })();
      return stopping;
    },
  };
}
