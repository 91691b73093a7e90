import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { localPackageDir } from '../paths';
import type { Log } from '../types';
import { repairS3rverStore } from './s3rver-repair';
import { assertPortFree, type ChildHandle, freePort, startChild } from './supervisor';

export { assertPortFree, type ChildHandle, freePort } from './supervisor';

export interface EmulatorPorts {
  cognito: number;
  s3: number;
  kinesis: number;
  dynamodb: number;
}

/** The web client owns 3000, the stack's default callback (http://localhost:3000/); the API is beside it. */
export const DEFAULT_PORTS: EmulatorPorts & { api: number; web: number } = {
  web: 3000,
  api: 3001,
  cognito: 9229,
  s3: 4568,
  kinesis: 4567,
  dynamodb: 4569,
};

/** Each port's service, as messages name it. */
export const PORT_SERVICES: Record<keyof typeof DEFAULT_PORTS, string> = {
  web: 'web client',
  api: 'HTTP API gateway',
  cognito: 'cognito-local (Cognito)',
  s3: 's3rver (S3)',
  kinesis: 'kinesalite (Kinesis)',
  dynamodb: 'dynalite (DynamoDB)',
};

/** The `npm start` option that sets each port, for the message when one is taken. */
export const PORT_FLAGS: Record<keyof typeof DEFAULT_PORTS, string> = {
  web: '--web-port',
  api: '--port',
  cognito: '--cognito-port',
  s3: '--s3-port',
  kinesis: '--kinesis-port',
  dynamodb: '--dynamodb-port',
};

/** Every port the local stack listens on, by service. */
export type StackPorts = typeof DEFAULT_PORTS;

const SERVICES = Object.keys(DEFAULT_PORTS) as (keyof StackPorts)[];

/** A free port for every service of the stack (tests, chaos runs): none can be forgotten. */
export async function freePorts(): Promise<StackPorts> {
  const ports: Partial<StackPorts> = {};
  for (const which of SERVICES) ports[which] = await freePort();
  return ports as StackPorts;
}

/** `npm start`'s options that set these ports. */
export const portFlags = (ports: Partial<StackPorts>): string[] =>
  SERVICES.flatMap((which) => (ports[which] === undefined ? [] : [PORT_FLAGS[which], String(ports[which])]));

/** Fails with a PortInUseError naming the service and its option when any of the ports is taken. */
export async function assertPortsFree(ports: StackPorts): Promise<void> {
  for (const which of SERVICES) {
    await assertPortFree(PORT_SERVICES[which], ports[which], PORT_FLAGS[which]);
  }
}

export interface Emulators {
  cognito: ChildHandle;
  s3: ChildHandle;
  kinesis: ChildHandle;
  dynamodb: ChildHandle;
  endpoints: { cognito: string; s3: string; kinesis: string; dynamodb: string };
  all: ChildHandle[];
  stop(): Promise<void>;
}

/**
 * Starts cognito-local, s3rver, kinesalite and dynalite as child processes bound to 127.0.0.1,
 * state in `stateDir`. Each runs in its own data folder and is given absolute paths: s3rver and
 * kinesalite resolve a relative one against their working folder, which split the state in two.
 */
export async function startEmulators(stateDir: string, ports: EmulatorPorts, log: Log): Promise<Emulators> {
  const pkg = localPackageDir();
  const root = resolve(stateDir);
  const dirs = {
    cognito: join(root, 'cognito'),
    s3: join(root, 's3'),
    kinesis: join(root, 'kinesis'),
    dynamodb: join(root, 'dynamodb'),
  };
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
  repairS3rverStore(dirs.s3, log);
  const node = process.execPath;
  // Every child dies with this process, even when it is SIGKILLed (watchdog.cjs).
  const watchdog = join(pkg, 'src', 'emulators', 'watchdog.cjs');
  // Children must not inherit our AWS settings or a debugger flag.
  const baseEnv = { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production' };
  const started: ChildHandle[] = [];
  try {
    const specs = [
      {
        name: PORT_SERVICES.cognito,
        portFlag: PORT_FLAGS.cognito,
        command: node,
        args: ['--require', watchdog, join(pkg, 'node_modules', 'cognito-local', 'lib', 'bin', 'start.js')],
        cwd: dirs.cognito,
        env: { ...baseEnv, HOST: '127.0.0.1', PORT: String(ports.cognito) },
        port: ports.cognito,
        readiness: { url: `http://127.0.0.1:${ports.cognito}/health` },
      },
      {
        name: PORT_SERVICES.s3,
        portFlag: PORT_FLAGS.s3,
        command: node,
        args: ['--require', watchdog, join(pkg, 'src', 'emulators', 's3rver-child.mjs')],
        cwd: dirs.s3,
        env: { ...baseEnv, S3RVER_PORT: String(ports.s3), S3RVER_DIR: dirs.s3 },
        port: ports.s3,
        readiness: 'ipc' as const,
      },
      {
        name: PORT_SERVICES.kinesis,
        portFlag: PORT_FLAGS.kinesis,
        command: node,
        args: ['--require', watchdog, join(pkg, 'src', 'emulators', 'kinesalite-child.mjs')],
        cwd: dirs.kinesis,
        env: { ...baseEnv, KINESALITE_PORT: String(ports.kinesis), KINESALITE_DIR: dirs.kinesis },
        port: ports.kinesis,
        readiness: 'ipc' as const,
      },
      {
        name: PORT_SERVICES.dynamodb,
        portFlag: PORT_FLAGS.dynamodb,
        command: node,
        args: ['--require', watchdog, join(pkg, 'src', 'emulators', 'dynalite-child.mjs')],
        cwd: dirs.dynamodb,
        env: { ...baseEnv, DYNALITE_PORT: String(ports.dynamodb), DYNALITE_DIR: dirs.dynamodb },
        port: ports.dynamodb,
        readiness: 'ipc' as const,
      },
    ];
    // Sequential start keeps error messages about one emulator at a time; each takes < 1 s.
    for (const spec of specs) started.push(await startChild(spec, log));
  } catch (error) {
    await Promise.all(started.map((c) => c.stop()));
    throw error;
  }
  const [cognito, s3, kinesis, dynamodb] = started as [ChildHandle, ChildHandle, ChildHandle, ChildHandle];
  return {
    cognito,
    s3,
    kinesis,
    dynamodb,
    endpoints: {
      cognito: `http://127.0.0.1:${ports.cognito}`,
      s3: `http://127.0.0.1:${ports.s3}`,
      kinesis: `http://127.0.0.1:${ports.kinesis}`,
      dynamodb: `http://127.0.0.1:${ports.dynamodb}`,
    },
    all: started,
    stop: async () => {
      await Promise.all(started.map((c) => c.stop()));
    },
  };
}
