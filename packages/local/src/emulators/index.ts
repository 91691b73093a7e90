import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { localPackageDir } from '../paths';
import type { Log } from '../types';
import { repairS3rverStore } from './s3rver-repair';
import { type ChildHandle, startChild } from './supervisor';

export { assertPortFree, type ChildHandle, freePort } from './supervisor';

export interface EmulatorPorts {
  cognito: number;
  s3: number;
  kinesis: number;
}

export const DEFAULT_PORTS: EmulatorPorts & { api: number } = {
  api: 3000,
  cognito: 9229,
  s3: 4568,
  kinesis: 4567,
};

export interface Emulators {
  cognito: ChildHandle;
  s3: ChildHandle;
  kinesis: ChildHandle;
  endpoints: { cognito: string; s3: string; kinesis: string };
  all: ChildHandle[];
  stop(): Promise<void>;
}

/**
 * Starts cognito-local, s3rver and kinesalite as child processes bound to 127.0.0.1, state in
 * `stateDir`. Each runs in its own data folder and is given absolute paths: s3rver and kinesalite
 * resolve a relative one against their working folder, which split the state in two.
 */
export async function startEmulators(stateDir: string, ports: EmulatorPorts, log: Log): Promise<Emulators> {
  const pkg = localPackageDir();
  const root = resolve(stateDir);
  const dirs = {
    cognito: join(root, 'cognito'),
    s3: join(root, 's3'),
    kinesis: join(root, 'kinesis'),
  };
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
  repairS3rverStore(dirs.s3, log);
  const node = process.execPath;
  // Children must not inherit our AWS settings or a debugger flag.
  const baseEnv = { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production' };
  const started: ChildHandle[] = [];
  try {
    const specs = [
      {
        name: 'cognito-local (Cognito)',
        command: node,
        args: [join(pkg, 'node_modules', 'cognito-local', 'lib', 'bin', 'start.js')],
        cwd: dirs.cognito,
        env: { ...baseEnv, HOST: '127.0.0.1', PORT: String(ports.cognito) },
        port: ports.cognito,
        readiness: { url: `http://127.0.0.1:${ports.cognito}/health` },
      },
      {
        name: 's3rver (S3)',
        command: node,
        args: [join(pkg, 'src', 'emulators', 's3rver-child.mjs')],
        cwd: dirs.s3,
        env: { ...baseEnv, S3RVER_PORT: String(ports.s3), S3RVER_DIR: dirs.s3 },
        port: ports.s3,
        readiness: 'ipc' as const,
      },
      {
        name: 'kinesalite (Kinesis)',
        command: node,
        args: [join(pkg, 'src', 'emulators', 'kinesalite-child.mjs')],
        cwd: dirs.kinesis,
        env: { ...baseEnv, KINESALITE_PORT: String(ports.kinesis), KINESALITE_DIR: dirs.kinesis },
        port: ports.kinesis,
        readiness: 'ipc' as const,
      },
    ];
    // Sequential start keeps error messages about one emulator at a time; each takes < 1 s.
    for (const spec of specs) started.push(await startChild(spec, log));
  } catch (error) {
    await Promise.all(started.map((c) => c.stop()));
    throw error;
  }
  const [cognito, s3, kinesis] = started as [ChildHandle, ChildHandle, ChildHandle];
  return {
    cognito,
    s3,
    kinesis,
    endpoints: {
      cognito: `http://127.0.0.1:${ports.cognito}`,
      s3: `http://127.0.0.1:${ports.s3}`,
      kinesis: `http://127.0.0.1:${ports.kinesis}`,
    },
    all: started,
    stop: async () => {
      await Promise.all(started.map((c) => c.stop()));
    },
  };
}
