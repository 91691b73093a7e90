import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import { parse as parseYaml } from 'yaml';

/** One thing wrong with a workflow file. */
export interface WorkflowProblem {
  readonly file: string;
  readonly message: string;
}

/** A `run:` step, with where it runs (relative to the repository root). */
export interface RunStep {
  readonly job: string;
  readonly step: string;
  readonly run: string;
  readonly workingDirectory: string;
}

/** What a `run:` line may refer to: the repository's files and package scripts. */
export interface Repository {
  readonly root: string;
  /** Scripts of the root package.json. */
  readonly scripts: ReadonlySet<string>;
  /** Scripts per workspace package name (for `pnpm --filter <name> <script>`). */
  readonly packageScripts: ReadonlyMap<string, ReadonlySet<string>>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function scriptsOf(file: string): { name: string | undefined; scripts: Set<string> } {
  const json: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!isRecord(json)) return { name: undefined, scripts: new Set() };
  return {
    name: typeof json.name === 'string' ? json.name : undefined,
    scripts: new Set(isRecord(json.scripts) ? Object.keys(json.scripts) : []),
  };
}

/** Reads the root package.json and every workspace package's (one level under the usual folders). */
export function readRepository(root: string): Repository {
  const packageScripts = new Map<string, ReadonlySet<string>>();
  for (const parent of ['packages', 'functions', '.']) {
    const dir = join(root, parent);
    if (!existsSync(dir)) continue;
    const names = parent === '.' ? ['infra', 'scripts'] : readdirSync(dir);
    for (const name of names) {
      const file = join(dir, name, 'package.json');
      if (!existsSync(file)) continue;
      const pkg = scriptsOf(file);
      if (pkg.name) packageScripts.set(pkg.name, pkg.scripts);
    }
  }
  return { root, scripts: scriptsOf(join(root, 'package.json')).scripts, packageScripts };
}

/** Every `run:` step of a parsed workflow, with its effective working directory. */
export function runSteps(workflow: unknown): RunStep[] {
  if (!isRecord(workflow) || !isRecord(workflow.jobs)) return [];
  const defaultsDir = (node: unknown): string | undefined => {
    if (!isRecord(node) || !isRecord(node.defaults) || !isRecord(node.defaults.run)) return undefined;
    const dir = node.defaults.run['working-directory'];
    return typeof dir === 'string' ? dir : undefined;
  };
  const steps: RunStep[] = [];
  for (const [jobId, job] of Object.entries(workflow.jobs)) {
    if (!isRecord(job) || !Array.isArray(job.steps)) continue;
    job.steps.forEach((step: unknown, index: number) => {
      if (!isRecord(step) || typeof step.run !== 'string') return;
      const dir = step['working-directory'];
      steps.push({
        job: jobId,
        step: typeof step.name === 'string' ? step.name : `step ${index + 1}`,
        run: step.run,
        workingDirectory:
          (typeof dir === 'string' ? dir : undefined) ?? defaultsDir(job) ?? defaultsDir(workflow) ?? '.',
      });
    });
  }
  return steps;
}

/** pnpm's own commands: not package scripts. */
const PNPM_BUILTINS = new Set([
  'add',
  'audit',
  'bin',
  'config',
  'dedupe',
  'dlx',
  'exec',
  'fetch',
  'i',
  'import',
  'install',
  'install-test',
  'licenses',
  'link',
  'list',
  'ls',
  'outdated',
  'pack',
  'prune',
  'publish',
  'rebuild',
  'remove',
  'root',
  'setup',
  'store',
  'unlink',
  'update',
  'why',
]);
/** npm commands that run a package script of the same name. */
const NPM_SCRIPT_ALIASES = new Set(['test', 'start', 'stop', 'restart']);
/** pnpm flags that take a value. */
const PNPM_VALUE_FLAGS = new Set(['--filter', '-F', '--dir', '-C', '--workspace-concurrency', '--reporter']);

/** The shell commands of a `run:` script, each as words; `\`-continued lines joined. */
export function commandsOf(script: string): string[][] {
  return script
    .replace(/\\\n/g, ' ')
    .split(/\n|&&|\|\||;|\|/)
    .map((command) => command.trim().split(/\s+/).filter(Boolean))
    .filter((words) => words.length > 0 && !words[0]?.startsWith('#'));
}

function hasExpression(word: string): boolean {
  return word.includes('${{') || word.includes('$');
}

/**
 * What in one `run:` script names something the repository must have: `pnpm <script>`,
 * `pnpm run <script>`, `pnpm --filter <pkg> <script>`, `npm test`, `npm run <script>`,
 * `node <file>`, `bash <file>`, `./<file>`.
 */
export function checkRunScript(step: RunStep, repo: Repository): string[] {
  const problems: string[] = [];
  const where = `${step.job} › ${step.step}`;
  for (const words of commandsOf(step.run)) {
    // Leading VAR=value assignments.
    let i = 0;
    while (i < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i] ?? '')) i += 1;
    const [tool, ...args] = words.slice(i);
    if (tool === undefined) continue;
    if (tool === 'pnpm') {
      let filter: string | undefined;
      let j = 0;
      while (j < args.length && args[j]?.startsWith('-')) {
        const flag = args[j] ?? '';
        if (PNPM_VALUE_FLAGS.has(flag)) {
          if (flag === '--filter' || flag === '-F') filter = args[j + 1];
          j += 2;
        } else j += 1;
      }
      let name = args[j];
      if (name === 'run' || name === 'run-script') name = args[j + 1];
      else if (name !== undefined && PNPM_BUILTINS.has(name)) continue;
      if (name === undefined || hasExpression(name)) continue;
      const scripts = filter === undefined ? repo.scripts : repo.packageScripts.get(filter);
      if (filter !== undefined && scripts === undefined)
        problems.push(`${where}: pnpm --filter ${filter}: no such workspace package`);
      else if (!scripts?.has(name)) {
        problems.push(`${where}: \`pnpm ${name}\` is not a script of ${filter ?? 'the root package.json'}`);
      }
    } else if (tool === 'npm') {
      const [sub, name] = args;
      const script =
        sub === 'run' || sub === 'run-script' ? name : sub && NPM_SCRIPT_ALIASES.has(sub) ? sub : undefined;
      if (script !== undefined && !hasExpression(script) && !repo.scripts.has(script)) {
        problems.push(
          `${where}: \`npm ${sub === script ? script : `run ${script}`}\` is not a script of the root package.json`,
        );
      }
    } else if (tool === 'node' || tool === 'bash' || tool === 'sh' || tool.startsWith('./')) {
      const file = tool.startsWith('./') ? tool : nodeEntry(args);
      if (file === undefined || hasExpression(file)) continue;
      if (!existsSync(join(repo.root, step.workingDirectory, file))) {
        problems.push(
          `${where}: \`${tool}${tool.startsWith('./') ? '' : ` ${file}`}\`: ${join(step.workingDirectory, file)} does not exist`,
        );
      }
    }
  }
  return problems;
}

/** The script a `node`/`bash` command runs: the first argument that is not a flag (or a flag's value). */
function nodeEntry(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    if (arg === '-e' || arg === '--eval' || arg === '-p' || arg === '--print' || arg === '-c')
      return undefined;
    if (arg === '--import' || arg === '--require' || arg === '-r' || arg === '--loader') {
      i += 1;
      continue;
    }
    if (arg.startsWith('-')) continue;
    return arg;
  }
  return undefined;
}

/**
 * House rules for every workflow: credentials come from OIDC role assumption, never long-lived
 * keys; `terraform apply` only ever applies a saved plan file (what was reviewed), never a
 * fresh plan of its own.
 */
export function checkPolicies(text: string, steps: readonly RunStep[]): string[] {
  const problems: string[] = [];
  if (/aws-access-key-id|aws-secret-access-key|AWS_SECRET_ACCESS_KEY|AWS_ACCESS_KEY_ID/.test(text)) {
    problems.push(
      'uses long-lived AWS keys: assume a role with OIDC (aws-actions/configure-aws-credentials role-to-assume)',
    );
  }
  for (const step of steps) {
    for (const words of commandsOf(step.run)) {
      const at = words.indexOf('terraform');
      if (at < 0) continue;
      const args = words.slice(at + 1).filter((w) => !w.startsWith('-chdir'));
      if (args[0] !== 'apply') continue;
      const rest = args.slice(1);
      if (
        rest.includes('-auto-approve') ||
        rest.includes('-destroy') ||
        !rest.some((w) => !w.startsWith('-'))
      ) {
        problems.push(
          `${step.job} › ${step.step}: \`terraform apply\` must apply a saved plan file, not plan again`,
        );
      }
    }
  }
  return problems;
}

/**
 * Every action a workflow uses is pinned by the full commit SHA, with the release it is in a
 * comment (`uses: owner/repo@<sha> # v1.2.3`): a tag can be moved to other code, a commit cannot,
 * and these jobs hold OIDC tokens for AWS roles. Local (`./`) actions need no pin.
 */
export function checkPins(text: string): string[] {
  const problems: string[] = [];
  text.split('\n').forEach((line, index) => {
    const m = /^\s*(?:-\s+)?uses:\s*["']?([^\s"'#]+)["']?\s*(?:#\s*(.*))?$/.exec(line);
    if (!m?.[1] || m[1].startsWith('./')) return;
    const [action, ref] = m[1].split('@');
    const where = `line ${index + 1}: ${m[1]}`;
    if (m[1].startsWith('docker://')) {
      if (!/@sha256:[0-9a-f]{64}$/.test(m[1])) problems.push(`${where} is not pinned by digest`);
      return;
    }
    if (!ref || !/^[0-9a-f]{40}$/.test(ref)) {
      problems.push(`${where} is not pinned by a full commit SHA (${action}@<40 hex digits> # <tag>)`);
    } else if (!m[2] || !/^v\d+(\.\d+)*\b/.test(m[2].trim())) {
      problems.push(`${where} has no comment naming its release (# v1.2.3)`);
    }
  });
  return problems;
}

/** The major version of Node.js every workflow sets up. */
export const NODE_MAJOR = 22;

/** Every `actions/setup-node` step asks for Node NODE_MAJOR. */
export function checkNodeVersion(workflow: unknown): string[] {
  const problems: string[] = [];
  for (const [jobId, job] of Object.entries(
    isRecord(workflow) && isRecord(workflow.jobs) ? workflow.jobs : {},
  )) {
    if (!isRecord(job) || !Array.isArray(job.steps)) continue;
    for (const step of job.steps) {
      if (!isRecord(step) || typeof step.uses !== 'string' || !step.uses.startsWith('actions/setup-node@'))
        continue;
      const version = isRecord(step.with) ? String(step.with['node-version'] ?? '') : '';
      if (!new RegExp(`^${NODE_MAJOR}(\\.|$)`).test(version)) {
        problems.push(`${jobId}: setup-node asks for Node "${version}", not ${NODE_MAJOR}`);
      }
    }
  }
  return problems;
}

/**
 * A package manager's command whose output is captured (`>`, `>>`, `| tee`, or anything that
 * lands in $GITHUB_STEP_SUMMARY) must be silent: `pnpm <script>` and `npm run` print a command
 * banner (`> streamdrop@0.1.0 plan:summary …`) before the script's own output.
 */
export function checkQuietOutput(steps: readonly RunStep[]): string[] {
  const problems: string[] = [];
  for (const step of steps) {
    for (const line of step.run.replace(/\\\n/g, ' ').split('\n')) {
      const captured = />|\|\s*tee\b|GITHUB_STEP_SUMMARY/.test(line);
      const manager = /(^|[\s;&|(])(pnpm|npm|yarn)\s/.exec(line);
      if (!captured || !manager) continue;
      if (manager[2] === 'npm' && !/\bnpm\s+(run|run-script|test|start|exec)\b/.test(line)) continue;
      if (/\s(--silent|-s|--reporter=silent|--loglevel[= ]silent)(\s|$)/.test(line)) continue;
      problems.push(
        `${step.job} › ${step.step}: \`${manager[2]}\` prints its command banner into captured output; call node directly or add --silent`,
      );
    }
  }
  return problems;
}

/** The jobs of a workflow, each with what it `needs`. */
function jobsOf(workflow: unknown): Map<string, { needs: string[]; job: Record<string, unknown> }> {
  const jobs = new Map<string, { needs: string[]; job: Record<string, unknown> }>();
  if (!isRecord(workflow) || !isRecord(workflow.jobs)) return jobs;
  for (const [id, job] of Object.entries(workflow.jobs)) {
    if (!isRecord(job)) continue;
    const needs =
      typeof job.needs === 'string' ? [job.needs] : Array.isArray(job.needs) ? job.needs.map(String) : [];
    jobs.set(id, { needs, job });
  }
  return jobs;
}

/** Every job `id` waits for, directly or not. */
function ancestors(jobs: ReturnType<typeof jobsOf>, id: string, seen = new Set<string>()): Set<string> {
  for (const need of jobs.get(id)?.needs ?? []) {
    if (seen.has(need)) continue;
    seen.add(need);
    ancestors(jobs, need, seen);
  }
  return seen;
}

/**
 * The repository variables and secrets a workflow cannot do without: every `vars.X` used without
 * an `||` fallback, and every `secrets.X` but GITHUB_TOKEN. STREAMDROP_* variables are the
 * stack's configuration: empty means the documented default (docs/configuration.md).
 */
export function requiredSettings(text: string): string[] {
  const names = new Set<string>();
  for (const m of text.matchAll(/\b(vars|secrets)\.([A-Za-z0-9_]+)(\s*\|\|)?/g)) {
    const [, kind, name, fallback] = m;
    if (
      !name ||
      fallback ||
      name.startsWith('STREAMDROP_') ||
      (kind === 'secrets' && name === 'GITHUB_TOKEN')
    )
      continue;
    names.add(name);
  }
  return [...names].sort();
}

/**
 * A missing variable or secret stops the run at once, naming it: a first job (needing none)
 * receives every required setting in its env and checks each by name, and every other job needs
 * it, so nothing that uses them starts (nor waits for a reviewer) before they are known to be set.
 */
export function checkSettingsFirst(text: string, workflow: unknown): string[] {
  const required = requiredSettings(text);
  if (required.length === 0) return [];
  const jobs = jobsOf(workflow);
  const checks = (job: Record<string, unknown>) =>
    required.filter((name) =>
      (Array.isArray(job.steps) ? job.steps : []).some(
        (step: unknown) =>
          isRecord(step) &&
          isRecord(step.env) &&
          typeof step.env[name] === 'string' &&
          /\$\{\{\s*(vars|secrets)\./.test(String(step.env[name])) &&
          typeof step.run === 'string' &&
          step.run.includes(name),
      ),
    );
  const roots = [...jobs].filter(([, j]) => j.needs.length === 0);
  const [checkId, checkJob] = roots.find(([, j]) => checks(j.job).length > 0) ?? [];
  if (!checkId || !checkJob) {
    return [
      `no first job checks the required variables and secrets (${required.join(', ')}) before the others run`,
    ];
  }
  const problems: string[] = [];
  const unchecked = required.filter((name) => !checks(checkJob.job).includes(name));
  if (unchecked.length > 0) problems.push(`${checkId} does not check ${unchecked.join(', ')}`);
  for (const [id] of jobs) {
    if (id !== checkId && !ancestors(jobs, id).has(checkId)) {
      problems.push(`${id} does not need ${checkId}: it may start before the variables are checked`);
    }
  }
  return problems;
}

/** The events a workflow runs on. */
function eventsOf(workflow: unknown): string[] {
  if (!isRecord(workflow)) return [];
  const on = workflow.on;
  if (typeof on === 'string') return [on];
  if (Array.isArray(on)) return on.map(String);
  return isRecord(on) ? Object.keys(on) : [];
}

/**
 * A pull request's plan only reads the state: `-lock=false`, so that it never waits for, nor
 * holds up, a deploy, and its role needs no write access to the lock.
 */
export function checkLockFreePlans(workflow: unknown, steps: readonly RunStep[]): string[] {
  if (!eventsOf(workflow).some((e) => e === 'pull_request' || e === 'pull_request_target')) return [];
  const problems: string[] = [];
  for (const step of steps) {
    for (const words of commandsOf(step.run)) {
      const at = words.indexOf('terraform');
      if (at < 0) continue;
      const args = words.slice(at + 1).filter((w) => !w.startsWith('-chdir'));
      if (args[0] === 'plan' && !args.includes('-lock=false')) {
        problems.push(
          `${step.job} › ${step.step}: a pull request's \`terraform plan\` must run with -lock=false`,
        );
      }
    }
  }
  return problems;
}

/**
 * Checks one workflow: YAML that parses (duplicate keys are errors), GitHub's own workflow
 * schema (@actions/workflow-parser, the parser behind the Actions language server), every
 * `run:` reference, and the house rules.
 */
export async function checkWorkflow(
  file: string,
  text: string,
  repo: Repository,
): Promise<WorkflowProblem[]> {
  const name = relative(repo.root, file) || file;
  const problem = (message: string): WorkflowProblem => ({ file: name, message });
  let workflow: unknown;
  try {
    workflow = parseYaml(text, { uniqueKeys: true, prettyErrors: true });
  } catch (error) {
    return [problem(`YAML: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`)];
  }
  const problems: WorkflowProblem[] = [];
  const parsed = parseWorkflow({ name, content: text }, new NoOperationTraceWriter());
  const schemaErrors = parsed.context.errors.getErrors().map((e) => e.message);
  if (schemaErrors.length === 0 && parsed.value) {
    const template = await convertWorkflowTemplate(parsed.context, parsed.value);
    for (const error of template.errors ?? []) schemaErrors.push(error.Message);
  }
  problems.push(...schemaErrors.map((message) => problem(`schema: ${message}`)));
  const steps = runSteps(workflow);
  for (const step of steps) problems.push(...checkRunScript(step, repo).map(problem));
  problems.push(...checkPolicies(text, steps).map(problem));
  problems.push(...checkPins(text).map(problem));
  problems.push(...checkNodeVersion(workflow).map(problem));
  problems.push(...checkQuietOutput(steps).map(problem));
  problems.push(...checkSettingsFirst(text, workflow).map(problem));
  problems.push(...checkLockFreePlans(workflow, steps).map(problem));
  return problems;
}

/** Every `.yml`/`.yaml` under `.github/workflows`. */
export function workflowFiles(root: string): string[] {
  const dir = join(root, '.github', 'workflows');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => join(dir, f));
}

/** Checks every workflow of the repository. */
export async function checkWorkflows(root: string): Promise<WorkflowProblem[]> {
  const repo = readRepository(root);
  const problems: WorkflowProblem[] = [];
  for (const file of workflowFiles(root)) {
    problems.push(...(await checkWorkflow(file, readFileSync(file, 'utf8'), repo)));
  }
  return problems;
}
