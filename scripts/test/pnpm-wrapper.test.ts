/**
 * scripts/pnpm.mjs, which `npm start` and `npm test` run: it starts pnpm from the repository's
 * root, so it must pass on the folder the person ran npm in.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { findRepoRoot } from '../src/lib/paths';

const root = findRepoRoot(__dirname);
const printCallerCwd = [
  'exec',
  'node',
  '-e',
  'process.stdout.write(String(process.env.STREAMDROP_CALLER_CWD))',
];

function wrapper(cwd: string, env: NodeJS.ProcessEnv) {
  const run = spawnSync(process.execPath, [join(root, 'scripts', 'pnpm.mjs'), ...printCallerCwd], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, STREAMDROP_CALLER_CWD: undefined, ...env },
  });
  expect(run.status).toBe(0);
  return run.stdout.trim().split('\n').at(-1);
}

describe('the pnpm wrapper', () => {
  it('passes on the folder npm was run in (INIT_CWD) as STREAMDROP_CALLER_CWD', () => {
    expect(wrapper(join(root, 'docs'), { INIT_CWD: join(root, 'docs') })).toBe(join(root, 'docs'));
  });

  it('keeps a STREAMDROP_CALLER_CWD it is given', () => {
    expect(wrapper(root, { INIT_CWD: root, STREAMDROP_CALLER_CWD: '/somewhere/else' })).toBe(
      '/somewhere/else',
    );
  });
});
