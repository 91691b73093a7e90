import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/emulators';
import { EmulatorError } from '../../src/errors';
import { startLocalStack } from '../../src/local-stack';
import { silentLog } from '../../src/types';
import { writeFixtureStack } from '../support/fixture-stack';

jest.setTimeout(60_000);

const isFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

describe('local stack supervision', () => {
  it('shuts everything down with a message naming the emulator when one dies, and frees every port', async () => {
    const ports = {
      api: await freePort(),
      cognito: await freePort(),
      s3: await freePort(),
      kinesis: await freePort(),
    };
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
          ports: { api, cognito, s3: await freePort(), kinesis: await freePort() },
          log: silentLog,
        }),
      ).rejects.toThrow(`Port ${api} (HTTP API gateway) is already in use`);
      expect(await isFree(cognito)).toBe(true);
    } finally {
      blocker.close();
    }
  });
});
