import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { command, stringFlag, UserError } from '@streamdrop/cli-kit';
import { findExecutable, MOTO_SERVER, motoMissingMessage, startMoto } from './lib/moto';
import { findRepoRoot } from './lib/paths';
import type { PlanJson } from './lib/plan-json';
import { Sandbox, type SandboxPlan } from './lib/sandbox';
import { requireTerraform } from './lib/terraform';

/** The top-level keys a fixture keeps: what `plan:summary` and the rehearsal read, and the versions. */
const KEPT_KEYS = [
  'format_version',
  'terraform_version',
  'resource_changes',
  'output_changes',
  'applyable',
  'complete',
  'errored',
];

/**
 * A real plan, trimmed to stay reviewable: no `planned_values`, `prior_state` or
 * `configuration` (three more copies of the stack), unchanged resources keep their address and
 * actions but not their values, and the temporary work folder's path is replaced by `<work>`.
 */
function trimPlan(plan: PlanJson, workDir: string): unknown {
  const source: Record<string, unknown> = plan;
  const kept: Record<string, unknown> = {};
  for (const key of KEPT_KEYS) if (key in source) kept[key] = source[key];
  kept.resource_changes = (plan.resource_changes ?? []).map((change) => {
    if (change.change.actions.join() !== 'no-op') return change;
    const {
      before: _b,
      after: _a,
      after_unknown: _u,
      before_sensitive: _bs,
      after_sensitive: _as,
      ...rest
    } = change.change;
    return { ...change, change: rest };
  });
  return JSON.parse(JSON.stringify(kept).replaceAll(workDir, '<work>'));
}

/** A code change a reviewer must be warned about: the stream renamed, the pool's sign-in attributes changed. */
function replacingEdit(stack: Record<string, unknown>): void {
  const resources = stack.resource as Record<string, Record<string, Record<string, unknown>>>;
  const streams = Object.values(resources.aws_kinesis_stream ?? {});
  const pools = Object.values(resources.aws_cognito_user_pool ?? {});
  if (streams.length !== 1 || pools.length !== 1)
    throw new UserError('expected one stream and one user pool');
  for (const stream of streams) stream.name = `${String(stream.name)}-v2`;
  for (const pool of pools) pool.username_attributes = ['email', 'phone_number'];
}

const SCENARIOS = {
  create: 'first plan of the stack: everything to create',
  'moto-tag-drift': "second plan right after the first apply: moto's known Kinesis tags drift",
  'no-change': 'plan after converging: nothing to do',
  update: 'STREAMDROP_LOG_RETENTION_DAYS=30 STREAMDROP_BATCH_SIZE=50: in-place updates only',
  replace: 'the stream renamed (name + "-v2") and the pool given phone_number sign-in: replacements',
  destroy: 'terraform plan -destroy of the applied stack',
} as const;

command(
  {
    usage: 'pnpm exec tsx scripts/src/make-plan-fixtures.ts [--out <dir>]',
    summary:
      "Regenerates the plan:summary test fixtures from real plans of the stack (stage dev) against moto_server: create, moto's tag drift, no change, in-place update, replacement, destroy.",
    flags: {
      out: { type: 'string', description: 'output folder (default scripts/test/fixtures/plans)' },
    },
    notes: [`Needs ${MOTO_SERVER} and terraform on PATH. Takes about three minutes.`],
  },
  async (args) => {
    const root = findRepoRoot();
    const out = stringFlag(args, 'out') ?? join(root, 'scripts', 'test', 'fixtures', 'plans');
    requireTerraform();
    if (!findExecutable(MOTO_SERVER))
      throw new UserError(motoMissingMessage('Regenerating the plan fixtures'));
    const workDir = mkdtempSync(join(tmpdir(), 'streamdrop-fixtures-'));
    const moto = await startMoto();
    mkdirSync(out, { recursive: true });
    const written: string[] = [];
    const save = async (name: keyof typeof SCENARIOS, plan: SandboxPlan) => {
      const file = join(out, `${name}.json`);
      writeFileSync(file, `${JSON.stringify(trimPlan(await plan.json(), workDir), null, 2)}\n`);
      written.push(file);
      console.log(`  ${name}: ${relative(root, file)} — ${SCENARIOS[name]}`);
    };
    try {
      const sandbox = new Sandbox({ root, endpoint: moto.url, workDir, stage: 'dev' });
      await sandbox.synth();
      await sandbox.init();
      const create = await sandbox.plan('create');
      await save('create', create);
      await sandbox.apply(create.file);

      const drift = await sandbox.plan('replan');
      if (!drift.changes)
        throw new UserError("moto's Kinesis tag drift did not show up: check the moto version");
      await save('moto-tag-drift', drift);
      await sandbox.apply(drift.file);
      const none = await sandbox.plan('converged');
      if (none.changes) throw new UserError('the stack did not converge after a second apply');
      await save('no-change', none);

      await sandbox.synth({ STREAMDROP_LOG_RETENTION_DAYS: '30', STREAMDROP_BATCH_SIZE: '50' });
      await save('update', await sandbox.plan('update'));

      await sandbox.synth({}, replacingEdit);
      await save('replace', await sandbox.plan('replace'));

      await sandbox.synth();
      await save('destroy', await sandbox.plan('destroy', { destroy: true }));
    } finally {
      await moto.stop();
      rmSync(workDir, { recursive: true, force: true });
    }
    // Written as JSON.stringify does; biome (which checks every JSON file here) has the last word.
    spawnSync('pnpm', ['exec', 'biome', 'format', '--write', ...written], { cwd: root, stdio: 'inherit' });
    console.log(`wrote ${written.length} fixtures to ${relative(root, out)}`);
    return 0;
  },
);
