import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { findRepoRoot } from '../src/lib/paths';
import {
  checkWorkflow,
  checkWorkflows,
  commandsOf,
  type Repository,
  readRepository,
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

const workflow = (name: string) =>
  parse(readFileSync(join(root, '.github', 'workflows', name), 'utf8')) as {
    on: Record<string, unknown>;
    permissions?: Record<string, string>;
    jobs: Record<string, { environment?: string; needs?: string; steps: Record<string, unknown>[] }>;
  };

/** A step's `with:` inputs. */
const inputs = (step: Record<string, unknown> | undefined) => (step?.with ?? {}) as Record<string, unknown>;

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

  it('ci runs the README’s test command with moto_server installed, then checks the rehearsal ran', () => {
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

  it('plan assumes a role by OIDC with the permissions it needs and nothing more', () => {
    const plan = workflow('plan.yml');
    expect(plan.permissions).toEqual({ contents: 'read', 'id-token': 'write', 'pull-requests': 'write' });
    const assume = plan.jobs.plan?.steps.find((s) =>
      String(s.uses).startsWith('aws-actions/configure-aws-credentials@'),
    );
    expect(inputs(assume)).toMatchObject({ 'role-to-assume': '${{ vars.AWS_PLAN_ROLE_ARN }}' });
  });

  it('plan comments once per pull request, found again by its marker, and fails the job when the plan fails', () => {
    const steps = workflow('plan.yml').jobs.plan?.steps ?? [];
    const comment = steps.find((s) => String(s.uses).startsWith('actions/github-script@'));
    const script = String(inputs(comment).script);
    expect(script).toContain("const marker = '<!-- streamdrop:terraform-plan -->'");
    expect(script).toMatch(/updateComment[\s\S]*createComment/);
    expect(comment?.if).toBe("always() && steps.plan.outcome != 'skipped'");
    const plan = steps.find((s) => s.id === 'plan');
    expect(plan?.['continue-on-error']).toBe(true);
    expect(String(plan?.run)).toContain(
      'terraform plan -input=false -no-color -lock-timeout=5m -out=plan.tfplan',
    );
    expect(steps.at(-1)).toMatchObject({
      if: "steps.plan.outcome != 'success'",
      run: expect.stringContaining('exit 1'),
    });
  });

  it('deploy applies, in the protected environment, the very plan file its plan job saved', () => {
    const deploy = workflow('deploy.yml');
    expect(Object.keys(deploy.on).sort()).toEqual(['push', 'workflow_dispatch']);
    const { plan, apply } = deploy.jobs;
    expect(apply?.environment).toBe('production');
    expect(apply?.needs).toBe('plan');
    const upload = plan?.steps.find((s) => String(s.uses).startsWith('actions/upload-artifact@'));
    const download = apply?.steps.find((s) => String(s.uses).startsWith('actions/download-artifact@'));
    expect(inputs(download).name).toBe(inputs(upload).name);
    const runs = apply?.steps.map((s) => String(s.run ?? '')).filter((r) => r.includes('terraform'));
    expect(runs).toEqual([
      'terraform init -input=false -lockfile=readonly',
      'terraform apply -input=false -lock-timeout=5m plan.tfplan',
    ]);
    expect(plan?.steps.some((s) => String(s.run ?? '').includes('-out=plan.tfplan'))).toBe(true);
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
        '      - uses: aws-actions/configure-aws-credentials@v4',
        '        with:',
        '          aws-access-key-id: ${{ secrets.KEY }}',
        '          aws-secret-access-key: ${{ secrets.SECRET }}',
        '          aws-region: eu-west-1',
        '',
      ].join('\n'),
    );
    expect(problems).toEqual([expect.stringMatching(/^uses long-lived AWS keys: assume a role with OIDC/)]);
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
