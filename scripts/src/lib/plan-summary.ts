import type { Change, PlanJson, ResourceChange } from './plan-json';

/** What happens to one resource, in the words a reviewer uses. */
export type ResourceAction = 'create' | 'update' | 'replace' | 'destroy' | 'forget' | 'import' | 'move';

/**
 * Resource types that hold data (or identity) that a replacement or a destroy loses for good.
 * A replacement is a destroy plus a create: the new one starts empty, under a new id.
 */
export const STATEFUL_TYPES: Readonly<Record<string, { readonly label: string; readonly loses: string }>> = {
  aws_s3_bucket: { label: 'S3 bucket', loses: 'every object and object version in it' },
  aws_kinesis_stream: {
    label: 'Kinesis stream',
    loses: 'every record not yet read; consumers start over on a new stream',
  },
  aws_cognito_user_pool: {
    label: 'Cognito user pool',
    loses: 'every user, password and group membership; issued tokens stop working',
  },
  aws_cognito_user_pool_client: {
    label: 'Cognito app client',
    loses: 'its client id (apps must be given the new one) and every refresh token issued to it',
  },
  aws_kms_key: {
    label: 'KMS key',
    loses: 'the key material: whatever it encrypted cannot be decrypted after the deletion window',
  },
  aws_cloudwatch_log_group: { label: 'CloudWatch log group', loses: 'its log history' },
  aws_dynamodb_table: { label: 'DynamoDB table', loses: 'every item in it' },
  aws_sqs_queue: { label: 'SQS queue', loses: 'every message in it' },
  aws_db_instance: { label: 'RDS instance', loses: 'its databases (unless a final snapshot is taken)' },
  aws_rds_cluster: { label: 'RDS cluster', loses: 'its databases (unless a final snapshot is taken)' },
  aws_efs_file_system: { label: 'EFS file system', loses: 'every file in it' },
  aws_secretsmanager_secret: { label: 'Secrets Manager secret', loses: 'the secret value and its versions' },
};

export interface ResourceLine {
  readonly address: string;
  readonly type: string;
  readonly action: ResourceAction;
  /** Top-level attributes whose value changes (updates). */
  readonly changed: readonly string[];
  /** Attributes that force the replacement (`replace_paths`), as `a.b[0].c`. */
  readonly forcedBy: readonly string[];
  /** Terraform's `action_reason`, when it gives one. */
  readonly reason: string | undefined;
  readonly previousAddress: string | undefined;
}

export interface PlanCounts {
  readonly add: number;
  readonly change: number;
  readonly replace: number;
  readonly destroy: number;
  readonly forget: number;
  readonly import: number;
  readonly move: number;
}

export interface PlanSummary {
  readonly counts: PlanCounts;
  /** Every managed resource with something to do, most dangerous first. */
  readonly resources: readonly ResourceLine[];
  readonly unchanged: number;
  /** Replacements and destructions of stateful resources. */
  readonly dangers: readonly ResourceLine[];
  readonly outputs: readonly { readonly name: string; readonly action: 'add' | 'change' | 'remove' }[];
  readonly errored: boolean;
  readonly terraformVersion: string | undefined;
}

const SEVERITY: Readonly<Record<ResourceAction, number>> = {
  destroy: 0,
  replace: 1,
  forget: 2,
  update: 3,
  move: 4,
  import: 5,
  create: 6,
};

/** Plain code-unit order: the same on every machine, whatever its locale. */
function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The reviewer's action for Terraform's action list, or undefined for no-op and reads. */
export function actionOf(change: ResourceChange): ResourceAction | undefined {
  const actions = change.change.actions.join(',');
  switch (actions) {
    case 'create':
      return 'create';
    case 'update':
      return 'update';
    case 'delete':
      return 'destroy';
    case 'delete,create':
    case 'create,delete':
      return 'replace';
    case 'forget':
      return 'forget';
    case 'no-op':
      if (change.change.importing) return 'import';
      if (change.previous_address && change.previous_address !== change.address) return 'move';
      return undefined;
    default:
      // read (data sources) and anything a later Terraform adds that changes nothing here.
      return undefined;
  }
}

/** `["schema", 0, "name"]` as `schema[0].name`. */
export function formatPath(path: readonly (string | number)[]): string {
  return path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`))
    .join('');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

/** True when `after_unknown` marks any part of the value as known only after apply. */
function hasUnknown(value: unknown): boolean {
  if (value === true) return true;
  if (Array.isArray(value)) return value.some(hasUnknown);
  if (isRecord(value)) return Object.values(value).some(hasUnknown);
  return false;
}

/**
 * Top-level attributes whose value changes: different before and after, or becoming known only
 * after apply. Null and absent are the same to Terraform.
 */
export function changedAttributes(change: Change): string[] {
  const before = isRecord(change.before) ? change.before : {};
  const after = isRecord(change.after) ? change.after : {};
  const unknown = isRecord(change.after_unknown) ? change.after_unknown : {};
  const keys = new Set([...Object.keys(before), ...Object.keys(after), ...Object.keys(unknown)]);
  return [...keys]
    .filter((key) => hasUnknown(unknown[key]) || !deepEqual(before[key] ?? null, after[key] ?? null))
    .sort();
}

function lineOf(change: ResourceChange, action: ResourceAction): ResourceLine {
  return {
    address: change.address,
    type: change.type,
    action,
    // A replacement makes every computed attribute new (`arn`, `id`, ...): its cause is `forcedBy`.
    changed: action === 'update' ? changedAttributes(change.change) : [],
    forcedBy: (change.change.replace_paths ?? []).map(formatPath),
    reason: change.action_reason,
    previousAddress: change.previous_address,
  };
}

/** Counts, the resource list and the dangers of a plan. */
export function summarizePlan(plan: PlanJson): PlanSummary {
  const managed = (plan.resource_changes ?? []).filter((c) => c.mode === 'managed');
  const resources: ResourceLine[] = [];
  let unchanged = 0;
  for (const change of managed) {
    const action = actionOf(change);
    if (action === undefined) unchanged += 1;
    else resources.push(lineOf(change, action));
  }
  resources.sort((a, b) => SEVERITY[a.action] - SEVERITY[b.action] || byText(a.address, b.address));
  const count = (action: ResourceAction) => resources.filter((r) => r.action === action).length;
  const outputs = Object.entries(plan.output_changes ?? {})
    .map(([name, c]) => {
      const actions = c.actions.join(',');
      const action =
        actions === 'create'
          ? 'add'
          : actions === 'delete'
            ? 'remove'
            : actions === 'update'
              ? 'change'
              : undefined;
      return action ? { name, action } : undefined;
    })
    .filter((o): o is { name: string; action: 'add' | 'change' | 'remove' } => o !== undefined)
    .sort((a, b) => byText(a.name, b.name));
  return {
    counts: {
      add: count('create'),
      change: count('update'),
      replace: count('replace'),
      destroy: count('destroy'),
      forget: count('forget'),
      import: count('import'),
      move: count('move'),
    },
    resources,
    unchanged,
    dangers: resources.filter(
      (r) => (r.action === 'replace' || r.action === 'destroy') && r.type in STATEFUL_TYPES,
    ),
    outputs,
    errored: plan.errored === true,
    terraformVersion: plan.terraform_version,
  };
}

const ACTION_LABEL: Readonly<Record<ResourceAction, string>> = {
  create: '➕ create',
  update: '🔧 update',
  replace: '♻️ replace',
  destroy: '🗑️ destroy',
  forget: '📤 forget',
  import: '📥 import',
  move: '🚚 move',
};

const REASONS: Readonly<Record<string, string>> = {
  replace_because_tainted: 'the resource is tainted',
  replace_by_request: '`-replace` was requested',
  replace_by_triggers: 'its `replace_triggered_by` changed',
  delete_because_no_resource_config: 'it was removed from the configuration',
  delete_because_no_module: 'its module was removed',
  delete_because_wrong_repetition: 'its `count`/`for_each` changed',
  delete_because_count_index: 'its `count` index is gone',
  delete_because_each_key: 'its `for_each` key is gone',
};

function code(text: string): string {
  return `\`${text.replaceAll('`', "'")}\``;
}

function list(items: readonly string[], max = 6): string {
  const shown = items.slice(0, max).map(code);
  const rest = items.length - shown.length;
  return rest > 0 ? `${shown.join(', ')} and ${rest} more` : shown.join(', ');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function details(line: ResourceLine): string {
  const reason = line.reason ? REASONS[line.reason] : undefined;
  switch (line.action) {
    case 'update':
      return list(line.changed);
    case 'replace':
      if (line.forcedBy.length > 0) return `forces replacement: ${list(line.forcedBy)}`;
      return reason ? `replaced because ${reason}` : '';
    case 'destroy':
      return reason ? `because ${reason}` : '';
    case 'move':
      return line.previousAddress ? `from ${code(line.previousAddress)}` : '';
    default:
      return '';
  }
}

function warning(line: ResourceLine): string[] {
  const stateful = STATEFUL_TYPES[line.type];
  if (!stateful) return [];
  const reason = line.reason ? REASONS[line.reason] : undefined;
  let why: string | undefined;
  if (line.action === 'replace') {
    why =
      line.forcedBy.length > 0
        ? `Replacement forced by ${line.forcedBy.length === 1 ? 'a change to' : 'changes to'} ${list(line.forcedBy, 20)}.`
        : `Replaced because ${reason ?? 'Terraform must (it names no attribute)'}.`;
  } else if (reason) {
    why = `Destroyed because ${reason}.`;
  }
  return [
    '> [!CAUTION]',
    `> **This plan ${line.action === 'replace' ? 'REPLACES' : 'DESTROYS'} the ${stateful.label} ${code(line.address)}.**`,
    `> Lost with it: ${stateful.loses}.`,
    ...(why ? ['>', `> ${why}`] : []),
    '',
  ];
}

export interface RenderOptions {
  /** Shown in the heading, e.g. the stack name. */
  readonly title?: string | undefined;
  /** Full plan text (`terraform show -no-color`) to append, collapsed. */
  readonly planText?: string | undefined;
  /** Upper bound of the whole Markdown (GitHub comments hold 65,536 characters). */
  readonly maxLength?: number;
}

/** GitHub refuses comments longer than 65,536 characters; keep a margin for the marker. */
export const MAX_COMMENT_LENGTH = 65_000;

/** A fence longer than any backtick run inside `text`, so the text cannot close it. */
function fenceFor(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  return '`'.repeat(Math.max(3, longest + 1));
}

function collapsedPlan(text: string, budget: number): string {
  const body = text.replace(/\s+$/, '');
  const fence = fenceFor(body);
  const wrap = (inner: string) =>
    `<details><summary>Full plan (<code>terraform show</code>)</summary>\n\n${fence}text\n${inner}\n${fence}\n\n</details>\n`;
  if (wrap(body).length <= budget) return wrap(body);
  const lines = body.split('\n');
  const cut = (kept: number) =>
    wrap(
      `${lines.slice(0, kept).join('\n')}\n… ${plural(lines.length - kept, 'more line')} cut to fit a GitHub comment: the workflow log has the whole plan.`,
    );
  // The most lines that fit (binary search: a plan can have tens of thousands of lines).
  let low = 0;
  let high = lines.length - 1;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (cut(middle).length <= budget) low = middle;
    else high = middle - 1;
  }
  return cut(low);
}

/** The Markdown a reviewer reads: the counts, the warnings, then the table. */
export function renderSummary(summary: PlanSummary, options: RenderOptions = {}): string {
  const { counts } = summary;
  const out: string[] = [`### Terraform plan${options.title ? `: ${options.title}` : ''}`, ''];
  if (summary.errored) {
    out.push(
      '> [!WARNING]',
      '> Terraform reported errors while planning: this plan is incomplete and cannot be applied.',
      '',
    );
  }
  const nothing = summary.resources.length === 0;
  if (nothing && summary.outputs.length === 0) {
    out.push('**No changes.** The infrastructure matches the configuration.');
    if (summary.unchanged > 0) out.push('', `${plural(summary.unchanged, 'resource')} unchanged.`);
  } else {
    out.push(
      `**${counts.add} to add, ${counts.change} to change, ${counts.replace} to replace, ${counts.destroy} to destroy.**`,
    );
    const extras = [
      counts.import > 0 ? `${counts.import} to import` : '',
      counts.move > 0 ? `${counts.move} to move` : '',
      counts.forget > 0 ? `${counts.forget} to forget (removed from state, not destroyed)` : '',
    ].filter(Boolean);
    if (extras.length > 0) out.push('', `Also ${extras.join(', ')}.`);
    if (counts.replace > 0) {
      out.push(
        '',
        `Terraform's own count takes each replacement as one add and one destroy: ` +
          `${counts.add + counts.replace} to add, ${counts.change} to change, ${counts.destroy + counts.replace} to destroy.`,
      );
    }
    out.push('');
    for (const danger of summary.dangers) out.push(...warning(danger));
    if (!nothing) {
      out.push('| Action | Resource | Details |', '| --- | --- | --- |');
      for (const line of summary.resources) {
        out.push(
          `| ${ACTION_LABEL[line.action]} | ${code(line.address)} | ${details(line).replaceAll('|', '\\|')} |`,
        );
      }
      out.push('');
      if (summary.unchanged > 0) out.push(`${plural(summary.unchanged, 'other resource')} unchanged.`);
    }
    if (summary.outputs.length > 0) {
      const byAction = (a: 'add' | 'change' | 'remove') =>
        summary.outputs.filter((o) => o.action === a).map((o) => o.name);
      const parts = [
        byAction('add').length > 0 ? `new ${list(byAction('add'), 20)}` : '',
        byAction('change').length > 0 ? `changed ${list(byAction('change'), 20)}` : '',
        byAction('remove').length > 0 ? `removed ${list(byAction('remove'), 20)}` : '',
      ].filter(Boolean);
      out.push('', `Outputs: ${parts.join('; ')}.`);
    }
  }
  let markdown = `${out
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
  if (options.planText !== undefined) {
    const max = options.maxLength ?? MAX_COMMENT_LENGTH;
    markdown += `\n${collapsedPlan(options.planText, Math.max(0, max - markdown.length - 1))}`;
  }
  return markdown;
}
