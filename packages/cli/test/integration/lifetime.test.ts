/**
 * The local stack never outlives what started it: SIGKILL of `npm start`'s process (which runs no
 * handler) frees every port within seconds, its emulators included, and so does SIGKILL of the
 * tsx wrapper `npm start` runs it under.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localConfigPath } from '@streamdrop/local';
import { eventually } from '@streamdrop/local/testing';
import { cliPackageDir, startEntry } from '../../src/paths';
import { freePorts, isFree, type Ports, portFlags, startProcess } from '../support/start-process';

jest.setTimeout(120_000);

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Processes whose working folder is under `dir`: each emulator runs in its own data folder there. */
function processesUnder(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readlinkSync(`/proc/${entry}/cwd`).startsWith(`${dir}/`)) pids.push(Number(entry));
    } catch {
      // gone
    }
  }
  return pids;
}

/** SIGKILLs whatever still runs under `dir`, so that nothing outlives a failed test. */
function killAllUnder(dir: string): void {
  for (const pid of processesUnder(dir)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Waits until every port is free and no emulator is left; how long that took. */
async function allGone(ports: Ports, stateDir: string): Promise<number> {
  const started = Date.now();
  await eventually(async () => {
    for (const port of Object.values(ports)) if (!(await isFree(port))) return undefined;
    return processesUnder(stateDir).length === 0 ? true : undefined;
  }, 10_000);
  return Date.now() - started;
}

const newStateDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'streamdrop-lifetime-'));
  dirs.push(dir);
  return dir;
};

describe('the local stack’s processes', () => {
  it('all end within seconds of a SIGKILL of npm start’s process, cognito-local included', async () => {
    const ports = await freePorts();
    const stateDir = newStateDir();
    const stack = startProcess({
      cwd: cliPackageDir(),
      args: ['--state-dir', stateDir, ...portFlags(ports), '--quiet'],
    });
    try {
      await stack.ready(stateDir);
      expect(processesUnder(stateDir)).toHaveLength(4); // cognito-local, s3rver, kinesalite, dynalite
      stack.child.kill('SIGKILL');
      await stack.exited;
      expect(await allGone(ports, stateDir)).toBeLessThan(5_000);
    } finally {
      // Whatever failed above, nothing outlives the test (a live stack would keep jest from exiting).
      stack.child.kill('SIGKILL');
      killAllUnder(stateDir);
    }
  });

  it('stops cleanly within seconds when the tsx wrapper npm start runs it under is SIGKILLed', async () => {
    const ports = await freePorts();
    const stateDir = newStateDir();
    // What `pnpm start:local` runs: tsx's command line, which starts start.ts as its child.
    const tsx = join(cliPackageDir(), 'node_modules', 'tsx', 'dist', 'cli.mjs');
    const wrapper = spawn(
      process.execPath,
      [tsx, startEntry(), '--state-dir', stateDir, ...portFlags(ports), '--quiet'],
      { cwd: cliPackageDir(), stdio: 'ignore' },
    );
    const exited = new Promise((resolve) => wrapper.once('exit', resolve));
    try {
      await eventually(() => (existsSync(localConfigPath(stateDir)) ? true : undefined), 90_000);
      wrapper.kill('SIGKILL');
      await exited;
      expect(await allGone(ports, stateDir)).toBeLessThan(5_000);
      // A clean stop, not a death: it removed its local.json on the way out.
      await eventually(() => (existsSync(localConfigPath(stateDir)) ? undefined : true), 5_000);
    } finally {
      wrapper.kill('SIGKILL');
      killAllUnder(stateDir);
    }
  });
});
