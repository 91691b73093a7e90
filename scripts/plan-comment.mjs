#!/usr/bin/env node
// Writes the pull request comment of the plan workflow (.github/workflows/plan.yml) to stdout:
// the plan summary when every step passed, otherwise which step failed, what usually causes it,
// and the end of that step's output; then the commit that was planned. Plain Node on purpose,
// like pnpm.mjs: it must work when the install is what failed.
//
// Environment (set by the workflow):
//   STACK         the stack's name, e.g. streamdrop-prod
//   OUTCOMES      each step of the job in order, as id=outcome: "install=success synth=failure ..."
//   LOG_DIR       the folder holding <id>.log, the output of each step
//   SUMMARY_FILE  the plan summary (`plan-summary.ts --details`), written when the plan passed
//   HEAD_SHA      the pull request's head commit; BASE_REF its base branch
//   RUN_URL       the workflow run
//   PLANNED_SHA   the commit planned (default: `git rev-parse HEAD` of the checkout, which for a
//                 pull request is the merge commit GitHub made, else GITHUB_SHA)
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Found again on the next push, so that the comment is edited in place: keep it the first line. */
const MARKER = '<!-- streamdrop:terraform-plan -->';
/** GitHub refuses comments over 65,536 characters. */
const MAX_LENGTH = 65_000;
const TAIL_LINES = 60;

const STEPS = {
  install: {
    title: 'Install',
    hint: '`pnpm install --frozen-lockfile` failed. Is pnpm-lock.yaml in step with every package.json? Run `pnpm install` and commit the lock file.',
  },
  synth: {
    title: 'Synthesize',
    hint: 'The stack did not synthesize. A configuration problem names the variable to fix (docs/configuration.md); otherwise the code does not build.',
  },
  credentials: {
    title: 'Assume the plan role (OIDC)',
    hint: 'The plan role could not be assumed. Check the repository variable AWS_PLAN_ROLE_ARN, and that the role trusts `repo:<owner>/<repo>:pull_request` (docs/deploy.md, "Set up GitHub once").',
  },
  init: {
    title: 'terraform init',
    hint: '`terraform init` failed: the state bucket (TF_STATE_BUCKET, TF_STATE_REGION) cannot be read with the plan role, or infra/.terraform.lock.hcl has no hash for this platform (docs/deploy.md, "The provider lock file").',
  },
  plan: {
    title: 'terraform plan',
    hint: '`terraform plan` failed: nothing can be merged into production until it passes.',
  },
  summary: {
    title: 'Summarize the plan',
    hint: 'The plan passed but could not be summarized: see the workflow log.',
  },
};

const env = process.env;
const stack = env.STACK || 'streamdrop';

/** [[id, outcome], ...] in the order the job ran them. */
const outcomes = (env.OUTCOMES ?? '')
  .split(/\s+/)
  .filter(Boolean)
  .map((pair) => pair.split('='));

function plannedCommit() {
  if (env.PLANNED_SHA) return env.PLANNED_SHA;
  const git = spawnSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' });
  return git.status === 0 ? git.stdout.trim() : env.GITHUB_SHA || '';
}

const short = (sha) => (sha ? `\`${sha.slice(0, 7)}\`` : 'an unknown commit');

function footer() {
  const planned = plannedCommit();
  const merge = env.HEAD_SHA
    ? `, the merge of the pull request's head ${short(env.HEAD_SHA)} into \`${env.BASE_REF || 'its base'}\``
    : '';
  const run = env.RUN_URL ? ` · [workflow run](${env.RUN_URL})` : '';
  return `<sub>Commit planned: ${short(planned)}${merge}${run}</sub>`;
}

function tail(file) {
  if (!file || !existsSync(file)) return '(no output was recorded)';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: terminal colour codes are what it removes
  const text = readFileSync(file, 'utf8').replace(/\u001b\[[0-9;]*m/g, '');
  return text.trimEnd().split('\n').slice(-TAIL_LINES).join('\n').slice(-20_000);
}

function failureBody(id, outcome) {
  const step = STEPS[id] ?? { title: id, hint: 'See the workflow log.' };
  const lines = [
    `### Terraform plan: ${stack}`,
    '',
    '> [!WARNING]',
    `> **${step.title}** ${outcome === 'failure' ? 'failed' : `ended ${outcome}`}, so there is no plan to review.`,
    `> ${step.hint}`,
    '',
  ];
  if (id !== 'summary') {
    lines.push(
      `<details open><summary>End of the output of ${step.title}</summary>`,
      '',
      '````text',
      tail(env.LOG_DIR ? join(env.LOG_DIR, `${id}.log`) : undefined),
      '````',
      '',
      '</details>',
    );
  }
  return lines.join('\n');
}

function body() {
  const failed = outcomes.find(([, outcome]) => outcome !== 'success' && outcome !== 'skipped');
  if (failed) return failureBody(failed[0], failed[1]);
  if (env.SUMMARY_FILE && existsSync(env.SUMMARY_FILE))
    return readFileSync(env.SUMMARY_FILE, 'utf8').trimEnd();
  return failureBody('summary', 'without a summary');
}

const text = `${MARKER}\n${body()}\n\n${footer()}\n`;
process.stdout.write(
  text.length <= MAX_LENGTH
    ? text
    : `${text.slice(0, MAX_LENGTH - 200)}\n\n… cut to fit a GitHub comment: see the workflow run.\n\n${footer()}\n`,
);
