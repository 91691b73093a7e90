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

const PASSED_REHEARSAL = {
  ok: true,
  finishedAt: '2026-11-21T11:14:15Z',
  times: { apply: 63.1, replan: 8.4, destroy: 27.4 },
};
const PASSED_CDKTF = {
  ok: true,
  finishedAt: '2026-12-06T10:00:00Z',
  times: { deploy: 75.2, output: 9.1, plan: 14.3, destroy: 22.5 },
};

/** scripts/rehearsal-check.mjs with a PATH that has (or not) a moto_server, and markers of our own. */
function check(options: { moto: boolean; rehearsal?: unknown; cdktf?: unknown }) {
  const bin = join(temp, 'bin');
  const markers = { rehearsal: join(temp, 'rehearsal.json'), cdktf: join(temp, 'cdktf-deploy.json') };
  if (options.moto) {
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'moto_server'), '#!/bin/sh\nexit 0\n');
    chmodSync(join(bin, 'moto_server'), 0o755);
  }
  if (options.rehearsal !== undefined) writeFileSync(markers.rehearsal, JSON.stringify(options.rehearsal));
  if (options.cdktf !== undefined) writeFileSync(markers.cdktf, JSON.stringify(options.cdktf));
  return spawnSync(process.execPath, [join(root, 'scripts', 'rehearsal-check.mjs')], {
    encoding: 'utf8',
    env: {
      PATH: options.moto ? bin : join(temp, 'empty'),
      STREAMDROP_REHEARSAL_MARKER: markers.rehearsal,
      STREAMDROP_CDKTF_MARKER: markers.cdktf,
    },
  });
}

describe('scripts/rehearsal-check.mjs (run after npm test by .ci/run and ci.yml)', () => {
  it('passes without moto_server on the PATH: neither moto test can run there', () => {
    const result = check({ moto: false });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('moto_server is not on the PATH');
  });

  it('fails when moto_server is on the PATH but the rehearsal left no result', () => {
    const result = check({ moto: true, cdktf: PASSED_CDKTF });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('moto_server is on the PATH but the apply rehearsal did not run');
  });

  it('fails when moto_server is on the PATH but the cdktf deploy test left no result', () => {
    const result = check({ moto: true, rehearsal: PASSED_REHEARSAL });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('moto_server is on the PATH but the cdktf deploy test did not run');
    expect(result.stderr).toContain('scripts/test/cdktf.test.ts');
  });

  it('fails when a recorded run did not pass', () => {
    expect(check({ moto: true, rehearsal: { ok: false }, cdktf: PASSED_CDKTF }).status).toBe(1);
    expect(check({ moto: true, rehearsal: PASSED_REHEARSAL, cdktf: { ok: false } }).status).toBe(1);
  });

  it('passes when both passed, and prints their times', () => {
    const result = check({ moto: true, rehearsal: PASSED_REHEARSAL, cdktf: PASSED_CDKTF });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('apply 63.1 s, re-plan 8.4 s, destroy 27.4 s');
    expect(result.stdout).toContain('cdktf deploy 75.2 s, output 9.1 s, plan 14.3 s, destroy 22.5 s');
  });
});
