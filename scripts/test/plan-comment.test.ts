import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findRepoRoot } from '../src/lib/paths';

/**
 * scripts/plan-comment.mjs, which plan.yml runs to write the pull request comment: the plan
 * summary when every step passed, otherwise which step failed and why, and always the commit
 * that was planned.
 */
const script = join(findRepoRoot(__dirname), 'scripts', 'plan-comment.mjs');
const MARKER = '<!-- streamdrop:terraform-plan -->';
const ALL_PASSED =
  'install=success synth=success credentials=success init=success plan=success summary=success';

let temp: string;
let checkout: string;
let mergeCommit: string;

/** A checkout whose HEAD is a merge commit, as actions/checkout leaves it for a pull request. */
function gitCheckout(dir: string): string {
  const git = (...args: string[]) => {
    const r = spawnSync('git', args, {
      cwd: dir,
      encoding: 'utf8',
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 't',
        GIT_AUTHOR_EMAIL: 't@e',
        GIT_COMMITTER_NAME: 't',
        GIT_COMMITTER_EMAIL: 't@e',
      },
    });
    if (r.status !== 0) throw new Error(r.stderr);
    return r.stdout.trim();
  };
  git('init', '-q', '-b', 'main');
  git('commit', '-q', '--allow-empty', '-m', 'base');
  git('checkout', '-q', '-b', 'feature');
  git('commit', '-q', '--allow-empty', '-m', 'change');
  git('checkout', '-q', 'main');
  git('merge', '-q', '--no-ff', '-m', 'Merge feature into main', 'feature');
  return git('rev-parse', 'HEAD');
}

beforeAll(() => {
  temp = mkdtempSync(join(tmpdir(), 'streamdrop-plan-comment-'));
  checkout = join(temp, 'checkout');
  spawnSync('mkdir', [checkout]);
  mergeCommit = gitCheckout(checkout);
});
afterAll(() => rmSync(temp, { recursive: true, force: true }));

function comment(env: Record<string, string>): string {
  const result = spawnSync(process.execPath, [script], {
    cwd: checkout,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      STACK: 'streamdrop-prod',
      LOG_DIR: temp,
      HEAD_SHA: 'feedc0de00000000000000000000000000000000',
      BASE_REF: 'main',
      RUN_URL: 'https://github.com/acme/streamdrop/actions/runs/42',
      ...env,
    },
  });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return result.stdout;
}

describe('the plan comment', () => {
  it('is the plan summary when every step passed, labelled with the merge commit that was planned', () => {
    const summary = join(temp, 'summary.md');
    writeFileSync(
      summary,
      '### Terraform plan: streamdrop-prod\n\n**1 to add, 0 to change, 0 to replace, 0 to destroy.**\n',
    );
    const text = comment({ OUTCOMES: ALL_PASSED, SUMMARY_FILE: summary });
    expect(text.split('\n').slice(0, 2)).toEqual([MARKER, '### Terraform plan: streamdrop-prod']);
    expect(text.trimEnd().split('\n').at(-1)).toBe(
      `<sub>Commit planned: \`${mergeCommit.slice(0, 7)}\`, the merge of the pull request's head \`feedc0d\` into \`main\` · [workflow run](https://github.com/acme/streamdrop/actions/runs/42)</sub>`,
    );
    expect(text).not.toContain('> streamdrop@');
  });

  it('names a failed synth, says what usually causes it, and quotes the end of its output', () => {
    const lines = Array.from({ length: 100 }, (_, i) => `line ${i + 1}`);
    writeFileSync(
      join(temp, 'synth.log'),
      `${lines.join('\n')}\n\u001b[31mInvalid streamdrop configuration:\u001b[0m\n  - STREAMDROP_BATCH_SIZE must be an integer\n`,
    );
    const text = comment({
      OUTCOMES: 'install=success synth=failure credentials=skipped init=skipped plan=skipped summary=skipped',
    });
    expect(text.split('\n')[0]).toBe(MARKER);
    expect(text).toContain('> **Synthesize** failed, so there is no plan to review.');
    expect(text).toContain('names the variable to fix (docs/configuration.md)');
    expect(text).toContain(
      'Invalid streamdrop configuration:\n  - STREAMDROP_BATCH_SIZE must be an integer\n````',
    );
    expect(text).not.toContain('\u001b[');
    expect(text).not.toContain('line 42\n');
    expect(text).toContain(`Commit planned: \`${mergeCommit.slice(0, 7)}\``);
  });

  it.each([
    ['credentials', 'Assume the plan role (OIDC)', 'AWS_PLAN_ROLE_ARN'],
    ['init', 'terraform init', 'TF_STATE_BUCKET'],
    ['plan', 'terraform plan', 'nothing can be merged into production until it passes'],
    ['install', 'Install', 'pnpm-lock.yaml'],
  ])('names a failed %s step (%s) with its hint', (id, title, hint) => {
    const order = ['install', 'synth', 'credentials', 'init', 'plan', 'summary'];
    const at = order.indexOf(id);
    const outcomes = order
      .map((s, i) => `${s}=${i < at ? 'success' : i === at ? 'failure' : 'skipped'}`)
      .join(' ');
    const text = comment({ OUTCOMES: outcomes });
    expect(text).toContain(`> **${title}** failed, so there is no plan to review.`);
    expect(text).toContain(hint);
  });

  it('says so when the plan passed but no summary was written', () => {
    expect(comment({ OUTCOMES: ALL_PASSED, SUMMARY_FILE: join(temp, 'missing.md') })).toContain(
      'The plan passed but could not be summarized',
    );
  });

  it('stays within what GitHub accepts for a comment', () => {
    const summary = join(temp, 'huge.md');
    writeFileSync(summary, `### Terraform plan: streamdrop-prod\n${'x'.repeat(80_000)}\n`);
    const text = comment({ OUTCOMES: ALL_PASSED, SUMMARY_FILE: summary });
    expect(text.length).toBeLessThan(65_536);
    expect(text).toContain('cut to fit a GitHub comment');
    expect(text.split('\n')[0]).toBe(MARKER);
  });
});
