import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findRepoRoot } from '../src/lib/paths';

const root = findRepoRoot(__dirname);
let temp: string;
beforeEach(() => {
  temp = mkdtempSync(join(tmpdir(), 'streamdrop-rehearsal-check-'));
});
afterEach(() => rmSync(temp, { recursive: true, force: true }));

/** scripts/rehearsal-check.mjs with a PATH that has (or not) a moto_server, and a marker of our own. */
function check(options: { moto: boolean; marker?: unknown }) {
  const bin = join(temp, 'bin');
  const marker = join(temp, 'rehearsal.json');
  if (options.moto) {
    mkdirSync(bin);
    writeFileSync(join(bin, 'moto_server'), '#!/bin/sh\nexit 0\n');
    chmodSync(join(bin, 'moto_server'), 0o755);
  }
  if (options.marker !== undefined) writeFileSync(marker, JSON.stringify(options.marker));
  return spawnSync(process.execPath, [join(root, 'scripts', 'rehearsal-check.mjs')], {
    encoding: 'utf8',
    env: { PATH: options.moto ? bin : join(temp, 'empty'), STREAMDROP_REHEARSAL_MARKER: marker },
  });
}

describe('scripts/rehearsal-check.mjs (run after npm test by .ci/run and ci.yml)', () => {
  it('passes without moto_server on the PATH: the rehearsal cannot run there', () => {
    const result = check({ moto: false });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('moto_server is not on the PATH');
  });

  it('fails when moto_server is on the PATH but the rehearsal left no result', () => {
    const result = check({ moto: true });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('moto_server is on the PATH but the apply rehearsal did not run');
  });

  it('fails when the recorded rehearsal did not pass', () => {
    expect(check({ moto: true, marker: { ok: false } }).status).toBe(1);
  });

  it('passes with a passed rehearsal, and prints its times', () => {
    const result = check({
      moto: true,
      marker: {
        ok: true,
        finishedAt: '2026-11-21T11:14:15Z',
        times: { apply: 63.1, replan: 8.4, destroy: 27.4 },
      },
    });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('apply 63.1 s, re-plan 8.4 s, destroy 27.4 s');
  });
});
