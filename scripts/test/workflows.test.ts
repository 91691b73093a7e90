import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { findRepoRoot } from '../src/lib/paths';
import {
  checkLockFreePlans,
  checkPins,
  checkQuietOutput,
  checkSettingsFirst,
  checkWorkflow,
  checkWorkflows,
  commandsOf,
  NODE_MAJOR,
  type Repository,
  readRepository,
  requiredSettings,
  runSteps,
  workflowFiles,
} from '../src/lib/workflows';

const root = findRepoRoot(__dirname);
const repo = readRepository(root);

/** A workflow around one job with these steps, checked as if it were `.github/workflows/test.yml`. */
function check(steps: string, header = 'on: push\n', repository: Repository = repo) {
  const text = `${header}jobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n${steps}`;
  return checkWorkflow(join(root, '.github', 'workflows', 'test.yml'), text, repository).then((problems) =>
    problems.map((p) => p.message),
  );
}

type Step = Record<string, unknown>;
interface Job {
  environment?: string;
  needs?: string;
  if?: string;
  permissions?: Record<string, string>;
  outputs?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  concurrency?: Record<string, unknown>;
  env?: Record<string, string>;
  jobs: Record<string, Job>;
}

const text = (name: string) => readFileSync(join(root, '.github', 'workflows', name), 'utf8');
const workflow = (name: string) => parse(text(name)) as Workflow;

/** A step's `with:` inputs. */
const inputs = (step: Step | undefined) => (step?.with ?? {}) as Record<string, unknown>;
const named = (job: Job | undefined, name: string) => job?.steps.find((s) => s.name === name);
const using = (job: Job | undefined, action: string) =>
  job?.steps.find((s) => String(s.uses).startsWith(`${action}@`));

/** Runs a workflow's bash script here, as the runner would (bash -eo pipefail), from the repository root. */
function bash(script: string, env: NodeJS.ProcessEnv) {
  return spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], {
    cwd: root,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
  });
}

describe('the repository workflows', () => {
  it('are ci.yml, plan.yml and deploy.yml', () => {
    expect(workflowFiles(root).map((f) => f.slice(f.lastIndexOf('/') + 1))).toEqual([
      'ci.yml',
      'deploy.yml',
      'plan.yml',
    ]);
  });

  it('parse, follow GitHub’s workflow schema, refer only to scripts and files that exist, and keep the house rules', async () => {
    await expect(checkWorkflows(root)).resolves.toEqual([]);
  });

  it('ci runs the README’s test command with moto_server installed, then checks the moto tests ran', () => {
    const runs = workflow('ci.yml')
      .jobs.test?.steps.map((s) => s.run)
      .filter(Boolean);
    expect(runs).toEqual([
      "python -m pip install 'moto[server]==5.2.1'",
      'npm test',
      'node scripts/rehearsal-check.mjs',
    ]);
    expect(Object.keys(workflow('ci.yml').on).sort()).toEqual(['pull_request', 'push']);
  });
});

describe('pinned actions', () => {
  const pins = ['ci.yml', 'plan.yml', 'deploy.yml'].flatMap((file) =>
    [...text(file).matchAll(/uses:\s*(\S+)@([0-9a-f]{40}) # (v\S+)/g)].map((m) => ({
      file,
      action: m[1],
      sha: m[2],
      tag: m[3],
    })),
  );

  it('every action of every workflow is pinned by commit, with its release named', () => {
    const uses = ['ci.yml', 'plan.yml', 'deploy.yml'].flatMap((file) => [...text(file).matchAll(/uses:/g)]);
    expect(pins.length).toBe(uses.length);
    for (const file of ['ci.yml', 'plan.yml', 'deploy.yml']) expect(checkPins(text(file))).toEqual([]);
  });

  it('pins one action to one commit and one release everywhere', () => {
    const byAction = new Map<string, Set<string>>();
    for (const pin of pins) {
      const seen = byAction.get(pin.action ?? '') ?? new Set();
      seen.add(`${pin.sha} ${pin.tag}`);
      byAction.set(pin.action ?? '', seen);
    }
    for (const [action, seen] of byAction)
      expect([action, [...seen]]).toEqual([action, [expect.any(String)]]);
  });

  it('refuses a tag, a branch, a short SHA or a pin without its release', () => {
    expect(
      checkPins(
        [
          '      - uses: actions/checkout@v4',
          '      - uses: actions/checkout@main',
          '      - uses: actions/checkout@11bd719',
          '      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683',
          '      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2',
          '      - uses: ./.github/actions/local',
          '      - uses: docker://alpine:3',
        ].join('\n'),
      ),
    ).toEqual([
      'line 1: actions/checkout@v4 is not pinned by a full commit SHA (actions/checkout@<40 hex digits> # <tag>)',
      'line 2: actions/checkout@main is not pinned by a full commit SHA (actions/checkout@<40 hex digits> # <tag>)',
      'line 3: actions/checkout@11bd719 is not pinned by a full commit SHA (actions/checkout@<40 hex digits> # <tag>)',
      'line 4: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 has no comment naming its release (# v1.2.3)',
      'line 7: docker://alpine:3 is not pinned by digest',
    ]);
  });
});

describe(`Node ${NODE_MAJOR} everywhere`, () => {
  it('every setup-node asks for it', () => {
    const setups = ['ci.yml', 'plan.yml', 'deploy.yml'].flatMap((file) =>
      Object.values(workflow(file).jobs).flatMap((job) =>
        job.steps.filter((s) => String(s.uses).startsWith('actions/setup-node@')),
      ),
    );
    expect(setups.length).toBeGreaterThanOrEqual(3);
    for (const step of setups) expect(inputs(step)['node-version']).toBe(NODE_MAJOR);
  });

  it('refuses another version', async () => {
    expect(
      await check(
        '      - uses: actions/setup-node@820762786026740c76f36085b0efc47a31fe5020 # v7.0.0\n        with:\n          node-version: 20\n',
      ),
    ).toEqual([`build: setup-node asks for Node "20", not ${NODE_MAJOR}`]);
  });
});

describe('the job summary and the pull request comment carry the plan summary alone', () => {
  /** The lines of a step that write the summary (not terraform's), run against a real plan's JSON. */
  function runSummaryLines(file: string, job: string) {
    const step = named(workflow(file).jobs[job], 'Summarize the plan');
    const lines = String(step?.run)
      .split('\n')
      .filter((line) => line.includes('plan-summary'));
    expect(lines.length).toBeGreaterThan(0);
    const temp = mkdtempSync(join(tmpdir(), 'streamdrop-summary-'));
    try {
      copyFileSync(join(__dirname, 'fixtures', 'plans', 'update.json'), join(temp, 'plan.json'));
      writeFileSync(join(temp, 'plan.txt'), 'Terraform will perform the following actions: …\n');
      const env = {
        STACK: 'streamdrop-prod',
        STACK_DIR: temp,
        LOGS: temp,
        GITHUB_STEP_SUMMARY: join(temp, 'step-summary.md'),
      };
      const result = bash(lines.join('\n'), env);
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      const read = (name: string) => {
        try {
          return readFileSync(join(temp, name), 'utf8');
        } catch {
          return undefined;
        }
      };
      return { summary: read('step-summary.md'), comment: read('summary.md') };
    } finally {
      rmSync(temp, { recursive: true, force: true });
    }
  }

  it('plan.yml: both start with the summary’s heading, no command banner above it', () => {
    const { summary, comment } = runSummaryLines('plan.yml', 'plan');
    expect(summary?.split('\n')[0]).toBe('### Terraform plan: streamdrop-prod');
    expect(comment?.split('\n')[0]).toBe('### Terraform plan: streamdrop-prod');
    expect(comment).toContain('<summary>Full plan (<code>terraform show</code>)</summary>');
  }, 60_000);

  it('deploy.yml: the job summary starts with the summary’s heading', () => {
    expect(runSummaryLines('deploy.yml', 'plan').summary?.split('\n')[0]).toBe(
      '### Terraform plan: streamdrop-prod',
    );
  }, 60_000);

  it('refuse a package manager that would print its banner into captured output', () => {
    const step = (run: string) => ({ job: 'j', step: 's', run, workingDirectory: '.' });
    expect(
      checkQuietOutput([
        step('pnpm plan:summary plan.json >> "$GITHUB_STEP_SUMMARY"'),
        step('npm run plan:summary -- plan.json > comment.md'),
        step('pnpm plan:summary plan.json | tee out.md'),
        step('pnpm --silent plan:summary plan.json >> "$GITHUB_STEP_SUMMARY"'),
        step('pnpm -s plan:summary plan.json > out.md'),
        step('pnpm install --frozen-lockfile'),
        step('node --import tsx scripts/src/plan-summary.ts plan.json >> "$GITHUB_STEP_SUMMARY"'),
      ]),
    ).toEqual([
      'j › s: `pnpm` prints its command banner into captured output; call node directly or add --silent',
      'j › s: `npm` prints its command banner into captured output; call node directly or add --silent',
      'j › s: `pnpm` prints its command banner into captured output; call node directly or add --silent',
    ]);
  });
});

describe('missing variables stop the run at once, before any job that needs them', () => {
  it.each([
    ['plan.yml', ['AWS_PLAN_ROLE_ARN', 'AWS_REGION', 'TF_STATE_BUCKET', 'TF_STATE_REGION']],
    [
      'deploy.yml',
      ['AWS_DEPLOY_ROLE_ARN', 'AWS_PLAN_ROLE_ARN', 'AWS_REGION', 'TF_STATE_BUCKET', 'TF_STATE_REGION'],
    ],
  ])('%s checks %j in a first job that every other job needs', (file, required) => {
    expect(requiredSettings(text(file))).toEqual(required);
    const wf = workflow(file);
    expect(checkSettingsFirst(text(file), wf)).toEqual([]);
    expect(wf.jobs.variables?.needs).toBeUndefined();
    expect(wf.jobs.variables?.permissions).toEqual({});
  });

  it.each(['plan.yml', 'deploy.yml'])(
    '%s: with nothing set the check fails naming every variable; with all set it passes',
    (file) => {
      const step = workflow(file).jobs.variables?.steps[0];
      const names = requiredSettings(text(file));
      const empty = bash(String(step?.run), {});
      expect(empty.status).toBe(1);
      const named =
        /^::error title=Repository variables missing::set the repository variable\(s\) ([A-Z_ ]+) \(/.exec(
          empty.stdout,
        );
      expect(named?.[1]?.split(' ').sort()).toEqual(names);
      const all = bash(String(step?.run), Object.fromEntries(names.map((n) => [n, 'set'])));
      expect(all.status).toBe(0);
    },
  );

  it('report a workflow whose jobs do not wait for the check, or whose check forgets a variable', () => {
    const wf = (jobs: string) => `on: push\njobs:\n${jobs}`;
    const checkJob = (names: string[]) =>
      [
        '  variables:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - env:',
        ...names.map((n) => `          ${n}: \${{ vars.${n} }}`),
        `        run: for n in ${names.join(' ')}; do [ -n "\${!n}" ] || exit 1; done`,
      ].join('\n');
    const user = (needs: string) =>
      `  deploy:\n    runs-on: ubuntu-latest\n${needs}    steps:\n      - run: echo \${{ vars.ROLE }} \${{ vars.REGION }} \${{ vars.STREAMDROP_STAGE }} \${{ vars.X || 'x' }}\n`;
    const of = (t: string) => checkSettingsFirst(t, parse(t));
    expect(of(wf(`${checkJob(['ROLE', 'REGION'])}\n${user('    needs: variables\n')}`))).toEqual([]);
    expect(of(wf(`${checkJob(['ROLE', 'REGION'])}\n${user('')}`))).toEqual([
      'deploy does not need variables: it may start before the variables are checked',
    ]);
    expect(of(wf(`${checkJob(['ROLE'])}\n${user('    needs: variables\n')}`))).toEqual([
      'variables does not check REGION',
    ]);
    expect(of(wf(user('')))).toEqual([
      'no first job checks the required variables and secrets (REGION, ROLE) before the others run',
    ]);
  });
});

describe('pull request plans run without the state lock', () => {
  it('plan.yml plans with -lock=false, as does the deploy’s plan (its role may only read)', () => {
    const plan = named(workflow('plan.yml').jobs.plan, 'terraform plan (without the state lock)');
    expect(String(plan?.run)).toContain('terraform plan -input=false -no-color -lock=false -out=plan.tfplan');
    const deployPlan = workflow('deploy.yml').jobs.plan?.steps.find((s) => s.id === 'plan');
    expect(String(deployPlan?.run)).toContain('-lock=false');
  });

  it('refuse a locking plan in a pull request workflow, and only there', () => {
    const steps = [{ job: 'j', step: 's', run: 'terraform -chdir=x plan -out=p', workingDirectory: '.' }];
    expect(checkLockFreePlans({ on: { pull_request: {} } }, steps)).toEqual([
      "j › s: a pull request's `terraform plan` must run with -lock=false",
    ]);
    expect(checkLockFreePlans({ on: 'push' }, steps)).toEqual([]);
  });
});

describe('plan.yml comments on the pull request, also when a step fails', () => {
  const wf = workflow('plan.yml');
  const plan = wf.jobs.plan;
  const comment = wf.jobs.comment;

  it('gives pull-requests: write only to the comment job, which runs none of the pull request’s code', () => {
    expect(wf.permissions).toEqual({ contents: 'read' });
    expect(plan?.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    expect(comment?.permissions).toEqual({ 'pull-requests': 'write' });
    expect(comment?.steps.some((s) => String(s.uses).startsWith('actions/checkout@'))).toBe(false);
    expect(comment?.steps.some((s) => 'run' in s)).toBe(false);
  });

  it('writes the comment unless the run was cancelled, with the outcome of every step before it', () => {
    const write = named(plan, 'Write the pull request comment');
    expect(write?.if).toBe('${{ !cancelled() }}');
    const before = plan?.steps.slice(0, plan.steps.indexOf(write as Step)).filter((s) => s.id) ?? [];
    expect(before.map((s) => s.id)).toEqual(['install', 'synth', 'credentials', 'init', 'plan', 'summary']);
    const outcomes = String(((write?.env ?? {}) as Record<string, string>).OUTCOMES);
    for (const s of before) expect(outcomes).toContain(`${s.id}=\${{ steps.${s.id}.outcome }}`);
    expect(String(write?.run)).toContain('node scripts/plan-comment.mjs');
  });

  it('posts it when the plan job failed too, never when superseded, updating the one comment in place', () => {
    expect(comment?.needs).toBe('plan');
    expect(comment?.if).toBe("${{ !cancelled() && needs.plan.result != 'skipped' }}");
    const upload = using(plan, 'actions/upload-artifact');
    const download = using(comment, 'actions/download-artifact');
    expect(inputs(download).name).toBe(inputs(upload).name);
    expect(download?.['continue-on-error']).toBe(true);
    const script = String(inputs(using(comment, 'actions/github-script')).script);
    expect(script).toMatch(/updateComment[\s\S]*createComment/);
    expect(script).toContain("body.split('\\n', 1)[0]");
  });
});

describe('deploy.yml', () => {
  const deploy = workflow('deploy.yml');
  const { plan, apply } = deploy.jobs;

  it('applies, in the protected environment, the very plan file its plan job saved', () => {
    expect(Object.keys(deploy.on).sort()).toEqual(['push', 'workflow_dispatch']);
    expect(apply?.environment).toBe('production');
    expect(apply?.needs).toBe('plan');
    const upload = using(plan, 'actions/upload-artifact');
    const download = using(apply, 'actions/download-artifact');
    expect(inputs(download).name).toBe(inputs(upload).name);
    const runs = apply?.steps.map((s) => String(s.run ?? '')).filter((r) => r.includes('terraform '));
    expect(runs).toEqual([
      'terraform init -input=false -lockfile=readonly',
      'terraform apply -input=false -lock-timeout=5m plan.tfplan',
    ]);
    expect(plan?.steps.some((s) => String(s.run ?? '').includes('-out=plan.tfplan'))).toBe(true);
  });

  it('never applies a plan older than its artifact can live: the age is checked first, with a margin', () => {
    const retentionDays = Number(inputs(using(plan, 'actions/upload-artifact'))['retention-days']);
    const maxHours = Number(deploy.env?.MAX_PLAN_AGE_HOURS);
    expect(maxHours).toBeGreaterThan(0);
    expect(maxHours).toBeLessThan(retentionDays * 24);
    expect(apply?.steps[0]?.name).toBe('Refuse a plan too old to apply');
    expect(plan?.outputs?.['planned-at']).toBe('${{ steps.plan.outputs.planned-at }}');
  });

  it.each([
    [200, 1, 'this plan was made 200 hours ago, more than 144'],
    [3, 0, 'the plan is 3 hours old (at most 144)'],
  ])('a plan %d hours old: the age check exits %d', (hours, code, message) => {
    const run = String(apply?.steps[0]?.run);
    const result = bash(run, {
      PLANNED_AT: String(Math.floor(Date.now() / 1000) - hours * 3600 - 60),
      MAX_PLAN_AGE_HOURS: String(deploy.env?.MAX_PLAN_AGE_HOURS),
    });
    expect(result.status).toBe(code);
    expect(result.stdout).toContain(message);
  });

  it('runs one deploy at a time and never cancels one in progress', () => {
    expect(deploy.concurrency).toEqual({ group: 'deploy-production', 'cancel-in-progress': false });
  });
});

describe('workflow checks', () => {
  it('report YAML that does not parse', async () => {
    expect(await check('      - run: echo "unterminated\n   bad: [\n')).toEqual([
      expect.stringMatching(/^YAML: /),
    ]);
  });

  it('report a duplicate key', async () => {
    expect(await check('      - run: echo a\n        run: echo b\n')).toEqual([
      expect.stringMatching(/^YAML: .*unique/i),
    ]);
  });

  it('report what GitHub’s schema refuses (a misspelt key, an unknown event)', async () => {
    expect(await check('      - run: echo hi\n        wiht: {}\n')).toEqual([
      expect.stringMatching(/^schema: .*Unexpected value 'wiht'/),
    ]);
    expect(await check('      - run: echo hi\n', 'on: pushh\n')).toEqual([
      expect.stringMatching(/^schema: .*pushh/),
    ]);
  });

  it('report a pnpm or npm script that package.json does not have', async () => {
    expect(
      await check(
        [
          '      - run: pnpm plan:summary plan.json',
          '      - run: pnpm run no-such-script',
          '      - run: npm run nope && npm test',
          '      - run: pnpm install --frozen-lockfile && pnpm exec tsc',
          '      - run: pnpm --filter @streamdrop/scripts test && pnpm --filter @streamdrop/scripts nah',
          '      - run: pnpm --filter @nobody/else test',
          '',
        ].join('\n'),
      ),
    ).toEqual([
      'build › step 2: `pnpm no-such-script` is not a script of the root package.json',
      'build › step 3: `npm run nope` is not a script of the root package.json',
      'build › step 5: `pnpm nah` is not a script of @streamdrop/scripts',
      'build › step 6: pnpm --filter @nobody/else: no such workspace package',
    ]);
  });

  it('report a file that node or bash would not find, from the step’s working directory', async () => {
    expect(
      await check(
        [
          '      - run: node scripts/rehearsal-check.mjs',
          '      - run: node --import tsx scripts/src/missing.ts',
          '      - run: node -e "console.log(1)"',
          '      - run: bash ../.ci/run',
          '        working-directory: scripts',
          '      - run: ./nowhere.sh',
          '',
        ].join('\n'),
      ),
    ).toEqual([
      'build › step 2: `node scripts/src/missing.ts`: scripts/src/missing.ts does not exist',
      'build › step 5: `./nowhere.sh`: nowhere.sh does not exist',
    ]);
  });

  it('refuse long-lived AWS keys', async () => {
    const problems = await check(
      [
        '      - uses: aws-actions/configure-aws-credentials@e6de054238d6b7531b4efff3b6587d9aade6a06c # v6.2.3',
        '        with:',
        '          aws-access-key-id: ${{ secrets.KEY }}',
        '          aws-secret-access-key: ${{ secrets.SECRET }}',
        '          aws-region: eu-west-1',
        '',
      ].join('\n'),
    );
    expect(problems).toContainEqual(
      expect.stringMatching(/^uses long-lived AWS keys: assume a role with OIDC/),
    );
  });

  it('refuse a terraform apply that plans again instead of applying a saved plan', async () => {
    expect(
      await check(
        [
          '      - run: terraform apply -auto-approve',
          '      - run: terraform -chdir=stack apply -input=false',
          '      - run: terraform apply -input=false plan.tfplan',
          '',
        ].join('\n'),
      ),
    ).toEqual([
      'build › step 1: `terraform apply` must apply a saved plan file, not plan again',
      'build › step 2: `terraform apply` must apply a saved plan file, not plan again',
    ]);
  });
});

describe('commandsOf', () => {
  it('splits a run script into commands, joining continued lines and skipping comments', () => {
    expect(commandsOf('# setup\nA=1 pnpm synth && terraform \\\n  init\nx | tee y; z')).toEqual([
      ['A=1', 'pnpm', 'synth'],
      ['terraform', 'init'],
      ['x'],
      ['tee', 'y'],
      ['z'],
    ]);
  });
});

describe('runSteps', () => {
  it('takes the working directory from the step, else the job’s or the workflow’s defaults', () => {
    const steps = runSteps({
      defaults: { run: { 'working-directory': 'top' } },
      jobs: {
        a: { steps: [{ run: 'x' }, { run: 'y', 'working-directory': 'own' }] },
        b: {
          defaults: { run: { 'working-directory': 'job' } },
          steps: [{ name: 'named', run: 'z' }, { uses: 'u' }],
        },
      },
    });
    expect(steps).toEqual([
      { job: 'a', step: 'step 1', run: 'x', workingDirectory: 'top' },
      { job: 'a', step: 'step 2', run: 'y', workingDirectory: 'own' },
      { job: 'b', step: 'named', run: 'z', workingDirectory: 'job' },
    ]);
  });
});
