import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { findRepoRoot } from '../src/lib/paths';

const root = findRepoRoot(__dirname);

/** Runs a root script the way `pnpm <script>` does (tsx), without pnpm. */
function script(name: string, args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', join('scripts', 'src', `${name}.ts`), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
}

describe('root scripts', () => {
  it.each([
    ['build', 'pnpm build [function...]'],
    ['synth', 'pnpm synth [--stage <name>] [--no-build]'],
    ['plan', 'pnpm plan [--offline | --endpoint-url <url>] [--stage <name>] [--no-build]'],
    ['apply', 'pnpm stack:deploy [--auto-approve] [--endpoint-url <url>] [--stage <name>] [--no-build]'],
    ['destroy', 'pnpm stack:destroy [--auto-approve] [--endpoint-url <url>] [--stage <name>] [--no-build]'],
    ['plan-summary', 'pnpm plan:summary <plan.json> [--title <text>] [--details <plan.txt>]'],
    ['state-bootstrap', 'pnpm state:bootstrap [--bucket <name>] [--region <region>] [--endpoint-url <url>]'],
    [
      'rehearse',
      'pnpm rehearse [--endpoint-url <url>] [--stage <name>] [--keep] [--verbose] [--report <file>]',
    ],
    ['make-plan-fixtures', 'pnpm exec tsx scripts/src/make-plan-fixtures.ts [--out <dir>]'],
  ])(
    '%s --help prints its usage and exits 0 without doing anything',
    (name, usage) => {
      const result = script(name, ['--help']);
      expect(result.status).toBe(0);
      expect(result.stdout.split('\n')[0]).toBe(`Usage: ${usage}`);
      expect(result.stdout).toContain('--help');
    },
    30_000,
  );

  it.each([
    'synth',
    'plan',
    'apply',
    'destroy',
    'plan-summary',
    'state-bootstrap',
    'rehearse',
    'make-plan-fixtures',
  ])(
    '%s refuses an unknown flag with exit 1',
    (name) => {
      const result = script(name, ['--no-such-flag']);
      expect(result.status).toBe(1);
      expect(result.stderr).toContain("error: Unknown option '--no-such-flag'");
    },
    30_000,
  );

  it('build refuses an unknown function name with exit 1', () => {
    const result = script('build', ['no-such-function']);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^error: unknown function\(s\): no-such-function/m);
  }, 30_000);

  it('plan says how to install terraform when it is not on PATH', () => {
    const result = spawnSync(
      process.execPath,
      ['--import', 'tsx', join('scripts', 'src', 'plan.ts'), '--offline'],
      { cwd: root, encoding: 'utf8', env: { ...process.env, PATH: '/nonexistent' } },
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('error: terraform was not found on PATH. Install Terraform');
  }, 30_000);
});
