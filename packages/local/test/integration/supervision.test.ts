import { mkdtempSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, freePorts } from '../../src/emulators';
import { EmulatorError, FunctionInitError, type LocalError, PortInUseError } from '../../src/errors';
import { type LocalStack, startLocalStack } from '../../src/local-stack';
import { type Log, silentLog } from '../../src/types';
import { writeFixtureStack } from '../support/fixture-stack';

jest.setTimeout(60_000);

const isFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

/** The pids of the processes whose working folder is `dir` (each emulator runs in its data folder). */
function processesIn(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readlinkSync(`/proc/${entry}/cwd`) === dir) pids.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

const stateDir = () => mkdtempSync(join(tmpdir(), 'streamdrop-state-'));

/** The error a start fails with; a stack that starts after all is stopped at once (undefined). */
const failureOf = (starting: Promise<LocalStack>): Promise<unknown> =>
  starting.then(
    async (stack) => {
      await stack.stop();
      return undefined;
    },
    (error: unknown) => error,
  );

describe('local stack supervision', () => {
  it('shuts everything down with a message naming the emulator when one dies, and frees every port', async () => {
    const ports = await freePorts();
    let fatal: Error | undefined;
    const died = new Promise<void>((resolve) => {
      void startLocalStack({
        stackFile: writeFixtureStack().file,
        stateDir: mkdtempSync(join(tmpdir(), 'streamdrop-state-')),
        ports,
        log: silentLog,
        onFatal: (error) => {
          fatal = error;
          resolve();
        },
      }).then((stack) => {
        const s3rver = stack.children.find((c) => c.name.startsWith('s3rver'));
        if (!s3rver) throw new Error('no s3rver child');
        process.kill(s3rver.pid, 'SIGKILL');
      });
    });
    await died;
    expect(fatal).toBeInstanceOf(EmulatorError);
    expect(fatal?.message).toMatch(/s3rver \(S3\) stopped unexpectedly \(SIGKILL\).*npm start/s);
    for (const port of Object.values(ports)) expect(await isFree(port)).toBe(true);
  });

  it('refuses to start when the gateway port is taken, before starting any emulator', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const api = (blocker.address() as { port: number }).port;
    const cognito = await freePort();
    try {
      await expect(
        startLocalStack({
          stackFile: writeFixtureStack().file,
          stateDir: mkdtempSync(join(tmpdir(), 'streamdrop-state-')),
          ports: { ...(await freePorts()), api, cognito },
          log: silentLog,
        }),
      ).rejects.toThrow(`Port ${api} (HTTP API gateway) is already in use`);
      expect(await isFree(cognito)).toBe(true);
    } finally {
      blocker.close();
    }
  });

  it('ends in one line naming the emulator when one dies while the stack is being set up', async () => {
    const ports = await freePorts();
    const dir = stateDir();
    let killed: number | undefined;
    // The moment the last emulator is up, the bootstrap (pool, users, buckets, stream) begins.
    const log: Log = {
      ...silentLog,
      info: (message) => {
        if (!message.startsWith('kinesalite (Kinesis) listening')) return;
        killed = processesIn(join(dir, 's3'))[0];
        if (killed) process.kill(killed, 'SIGKILL');
      },
    };
    const failure = await failureOf(
      startLocalStack({
        stackFile: writeFixtureStack().file,
        stateDir: dir,
        ports,
        log,
      }),
    );
    expect(killed).toBeGreaterThan(0);
    expect(failure).toBeInstanceOf(EmulatorError);
    const message = (failure as Error).message;
    expect(message).toMatch(
      /^s3rver \(S3\) stopped while the local stack was starting \(SIGKILL\)\. Run `npm start` again; .*--reset/,
    );
    expect(message).not.toContain('\n');
    for (const port of Object.values(ports)) expect(await isFree(port)).toBe(true);
  });

  it('fails with one line, before it says ready, when a function cannot start (its bundle cannot be unpacked)', async () => {
    const ports = await freePorts();
    const dir = stateDir();
    // Where the bundles are unpacked is a file: as unwritable as a full disk.
    writeFileSync(join(dir, 'functions'), 'not a folder');
    const failure = await failureOf(
      startLocalStack({
        stackFile: writeFixtureStack().file,
        stateDir: dir,
        ports,
        log: silentLog,
      }),
    );
    expect(failure).toBeInstanceOf(FunctionInitError);
    const message = (failure as Error).message;
    expect(message).toMatch(
      /^fixture-(api|consumer) cannot start: .*E(NOTDIR|EXIST).*make sure that folder can be written/,
    );
    expect(message).toContain(join(dir, 'functions'));
    expect(message).not.toContain('\n');
    // Never ready: no local.json, every port free again.
    expect(readdirSync(dir)).not.toContain('local.json');
    for (const port of Object.values(ports)) expect(await isFree(port)).toBe(true);
  });

  it.each([
    ['cognito', 'cognito-local (Cognito)', '--cognito-port'],
    ['s3', 's3rver (S3)', '--s3-port'],
    ['kinesis', 'kinesalite (Kinesis)', '--kinesis-port'],
    ['api', 'HTTP API gateway', '--port'],
  ] as const)(
    'names the option of the %s port when that port is taken, and starts nothing',
    async (which, service, flag) => {
      const blocker = createServer();
      await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
      const ports = { ...(await freePorts()), [which]: (blocker.address() as { port: number }).port };
      const dir = stateDir();
      try {
        const failure = await failureOf(
          startLocalStack({
            stackFile: writeFixtureStack().file,
            stateDir: dir,
            ports,
            log: silentLog,
          }),
        );
        expect(failure).toBeInstanceOf(PortInUseError);
        expect((failure as LocalError).message).toBe(
          `Port ${ports[which]} (${service}) is already in use on 127.0.0.1. Stop whatever holds it (\`lsof -i :${ports[which]}\`), ` +
            `or give the ${service} another port: \`npm start -- ${flag} <port>\` (see \`npm start -- --help\`).`,
        );
        expect(readdirSync(dir).filter((name) => name !== 'local.json')).toEqual([]);
        for (const [other, port] of Object.entries(ports))
          if (other !== which) expect(await isFree(port)).toBe(true);
      } finally {
        blocker.close();
      }
    },
  );
});
