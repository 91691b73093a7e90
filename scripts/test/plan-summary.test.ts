import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '@streamdrop/cli-kit';
import { findRepoRoot } from '../src/lib/paths';
import { parsePlanJson, readPlanJson } from '../src/lib/plan-json';
import {
  actionOf,
  formatPath,
  MAX_COMMENT_LENGTH,
  renderSummary,
  STATEFUL_TYPES,
  summarizePlan,
} from '../src/lib/plan-summary';

const root = findRepoRoot(__dirname);
/** Real plans of the stack (stage dev) against moto, made by scripts/src/make-plan-fixtures.ts. */
const fixture = (name: string) => readPlanJson(join(__dirname, 'fixtures', 'plans', `${name}.json`));
const summaryOf = (name: string) => summarizePlan(fixture(name));
const cautions = (markdown: string) => markdown.split('\n').filter((line) => line === '> [!CAUTION]').length;
const tableRows = (markdown: string) => markdown.split('\n').filter((line) => /^\| \S+ \S+ \| `/.test(line));

describe('plan summary of the first plan (create)', () => {
  const summary = summaryOf('create');
  const markdown = renderSummary(summary, { title: 'streamdrop-dev' });

  it('counts every resource of the stack as an add and nothing else', () => {
    expect(summary.counts).toEqual({
      add: 48,
      change: 0,
      replace: 0,
      destroy: 0,
      forget: 0,
      import: 0,
      move: 0,
    });
    expect(markdown).toContain('**48 to add, 0 to change, 0 to replace, 0 to destroy.**');
  });

  it('lists each resource once, with its action, and warns about nothing', () => {
    const rows = tableRows(markdown);
    expect(rows).toHaveLength(48);
    expect(rows.every((row) => row.startsWith('| ➕ create | `aws_'))).toBe(true);
    expect(rows).toContain('| ➕ create | `aws_kinesis_stream.stream_AED765E9` |  |');
    expect(cautions(markdown)).toBe(0);
  });

  it('starts with a heading naming the stack', () => {
    expect(markdown.split('\n')[0]).toBe('### Terraform plan: streamdrop-dev');
  });
});

describe('plan summary of a converged stack (no change)', () => {
  it('says there is nothing to do, without a table', () => {
    const summary = summaryOf('no-change');
    expect(summary.resources).toEqual([]);
    expect(summary.unchanged).toBe(48);
    expect(renderSummary(summary)).toBe(
      '### Terraform plan\n\n**No changes.** The infrastructure matches the configuration.\n\n48 resources unchanged.\n',
    );
  });
});

describe('plan summary of in-place changes (log retention 30 days, batch size 50)', () => {
  const summary = summaryOf('update');
  const markdown = renderSummary(summary);

  it('counts five changes and names the attribute each one changes', () => {
    expect(summary.counts).toMatchObject({ add: 0, change: 5, replace: 0, destroy: 0 });
    expect(tableRows(markdown)).toEqual([
      '| 🔧 update | `aws_cloudwatch_log_group.api_access-logs_3975387B` | `retention_in_days` |',
      '| 🔧 update | `aws_cloudwatch_log_group.functions_processor_log-group_940B8951` | `retention_in_days` |',
      '| 🔧 update | `aws_cloudwatch_log_group.functions_streams_log-group_52A325ED` | `retention_in_days` |',
      '| 🔧 update | `aws_cloudwatch_log_group.functions_upload_log-group_54EE0A87` | `retention_in_days` |',
      '| 🔧 update | `aws_lambda_event_source_mapping.functions_event-source_78C84E6D` | `batch_size` |',
    ]);
    expect(markdown).toContain('43 other resources unchanged.');
  });

  it('does not warn about a stateful resource that is only updated in place', () => {
    expect(summary.dangers).toEqual([]);
    expect(cautions(markdown)).toBe(0);
  });
});

describe('plan summary of replacements (stream renamed, pool sign-in attributes changed)', () => {
  const summary = summaryOf('replace');
  const markdown = renderSummary(summary);

  it('counts replacements apart, and also gives Terraform’s own add/destroy count', () => {
    expect(summary.counts).toMatchObject({ add: 0, change: 6, replace: 6, destroy: 0 });
    expect(markdown).toContain('**0 to add, 6 to change, 6 to replace, 0 to destroy.**');
    expect(markdown).toContain('6 to add, 6 to change, 6 to destroy.');
  });

  it('warns once for each stateful resource replaced, naming what forces it', () => {
    expect(summary.dangers.map((d) => [d.address, d.forcedBy])).toEqual([
      ['aws_cognito_user_pool.auth_user-pool_BFA4F40C', ['username_attributes']],
      ['aws_cognito_user_pool_client.auth_client_1F1CDD0E', ['user_pool_id']],
      ['aws_kinesis_stream.stream_AED765E9', ['name']],
    ]);
    expect(cautions(markdown)).toBe(3);
    expect(markdown).toContain(
      [
        '> [!CAUTION]',
        '> **This plan REPLACES the Kinesis stream `aws_kinesis_stream.stream_AED765E9`.**',
        '> Lost with it: every record not yet read; consumers start over on a new stream.',
        '>',
        '> Replacement forced by a change to `name`.',
      ].join('\n'),
    );
    expect(markdown).toContain('Replacement forced by a change to `username_attributes`.');
  });

  it('puts the warnings before the table, and replacements first in it', () => {
    expect(markdown.indexOf('[!CAUTION]')).toBeLessThan(markdown.indexOf('| Action |'));
    const rows = tableRows(markdown);
    expect(rows.slice(0, 6).every((row) => row.startsWith('| ♻️ replace |'))).toBe(true);
    expect(rows).toContain(
      '| ♻️ replace | `aws_lambda_event_source_mapping.functions_event-source_78C84E6D` | forces replacement: `event_source_arn` |',
    );
  });

  it('lists the outputs that change', () => {
    expect(markdown).toContain(
      'Outputs: changed `cognito_issuer`, `stream_arn`, `stream_name`, `user_pool_client_id`, `user_pool_id`.',
    );
  });
});

describe('plan summary of a destroy', () => {
  const summary = summaryOf('destroy');
  const markdown = renderSummary(summary);

  it('counts every resource as destroyed', () => {
    expect(summary.counts).toMatchObject({ add: 0, change: 0, replace: 0, destroy: 48 });
  });

  it('warns for every stateful resource: buckets, stream, pool, client, log groups', () => {
    const warned = summary.dangers.map((d) => d.type);
    expect(warned.sort()).toEqual([
      'aws_cloudwatch_log_group',
      'aws_cloudwatch_log_group',
      'aws_cloudwatch_log_group',
      'aws_cloudwatch_log_group',
      'aws_cognito_user_pool',
      'aws_cognito_user_pool_client',
      'aws_kinesis_stream',
      'aws_s3_bucket',
      'aws_s3_bucket',
    ]);
    expect(cautions(markdown)).toBe(9);
    expect(markdown).toContain(
      '> **This plan DESTROYS the S3 bucket `aws_s3_bucket.storage_data_bucket_77B590E3`.**\n> Lost with it: every object and object version in it.',
    );
  });
});

describe("plan summary of moto's tag drift", () => {
  it('shows the one Kinesis update and the attribute it changes', () => {
    const summary = summaryOf('moto-tag-drift');
    expect(summary.resources.map((r) => [r.address, r.action, r.changed])).toEqual([
      ['aws_kinesis_stream.stream_AED765E9', 'update', ['tags_all']],
    ]);
  });
});

describe('actionOf', () => {
  const change = (actions: string[], extra: Record<string, unknown> = {}) =>
    ({
      address: 'aws_s3_bucket.b',
      mode: 'managed',
      type: 'aws_s3_bucket',
      change: { actions },
      ...extra,
    }) as Parameters<typeof actionOf>[0];

  it.each([
    [['create'], 'create'],
    [['update'], 'update'],
    [['delete'], 'destroy'],
    [['delete', 'create'], 'replace'],
    [['create', 'delete'], 'replace'],
    [['forget'], 'forget'],
    [['no-op'], undefined],
    [['read'], undefined],
  ])('maps %j to %s', (actions, expected) => {
    expect(actionOf(change(actions))).toBe(expected);
  });

  it('recognizes an import and a move among no-ops', () => {
    expect(actionOf(change(['no-op'], { change: { actions: ['no-op'], importing: { id: 'b' } } }))).toBe(
      'import',
    );
    expect(actionOf(change(['no-op'], { previous_address: 'aws_s3_bucket.a' }))).toBe('move');
  });
});

describe('renderSummary', () => {
  it('explains a replacement without replace_paths by its reason', () => {
    const plan = parsePlanJson({
      format_version: '1.2',
      resource_changes: [
        {
          address: 'aws_kms_key.k',
          mode: 'managed',
          type: 'aws_kms_key',
          change: { actions: ['delete', 'create'] },
          action_reason: 'replace_because_tainted',
        },
      ],
    });
    const markdown = renderSummary(summarizePlan(plan));
    expect(markdown).toContain('> **This plan REPLACES the KMS key `aws_kms_key.k`.**');
    expect(markdown).toContain('> Replaced because the resource is tainted.');
  });

  it('appends the full plan collapsed, in a fence its text cannot close', () => {
    const markdown = renderSummary(summarizePlan(fixture('update')), { planText: 'a\n```\nb\n' });
    expect(markdown).toContain(
      '<details><summary>Full plan (<code>terraform show</code>)</summary>\n\n````text\na\n```\nb\n````\n\n</details>\n',
    );
  });

  it('cuts a long plan to fit a GitHub comment and says so', () => {
    const planText = Array.from({ length: 20_000 }, (_, i) => `line ${i} of a very long plan`).join('\n');
    const markdown = renderSummary(summarizePlan(fixture('create')), { planText });
    expect(markdown.length).toBeLessThanOrEqual(MAX_COMMENT_LENGTH);
    expect(markdown.length).toBeGreaterThan(MAX_COMMENT_LENGTH - 200);
    expect(markdown).toMatch(
      /\n… \d+ more lines cut to fit a GitHub comment: the workflow log has the whole plan\.\n```\n\n<\/details>\n$/,
    );
    expect(markdown).toContain('line 0 of a very long plan');
  });

  it('formats replace paths the way Terraform prints attributes', () => {
    expect(formatPath(['schema', 0, 'name'])).toBe('schema[0].name');
    expect(formatPath(['name'])).toBe('name');
  });

  it('knows the stateful types the issue names', () => {
    for (const type of [
      'aws_s3_bucket',
      'aws_kinesis_stream',
      'aws_cognito_user_pool',
      'aws_cognito_user_pool_client',
      'aws_kms_key',
      'aws_cloudwatch_log_group',
    ]) {
      expect(STATEFUL_TYPES).toHaveProperty(type);
    }
  });
});

describe('reading a plan', () => {
  let temp: string;
  beforeEach(() => {
    temp = mkdtempSync(join(tmpdir(), 'streamdrop-plan-json-'));
  });
  afterEach(() => rmSync(temp, { recursive: true, force: true }));

  it('refuses the JSON of a state and says which command makes a plan JSON', () => {
    expect(() => parsePlanJson({ format_version: '1.0', values: {} }, 'state.json')).toThrow(
      'state.json is the JSON of a state, not of a plan',
    );
  });

  it('refuses JSON that is not a plan, naming the field', () => {
    expect(() => parsePlanJson({ format_version: '1.2', resource_changes: [{ address: 1 }] })).toThrow(
      UserError,
    );
    expect(() => parsePlanJson({ format_version: '1.2', resource_changes: [{ address: 1 }] })).toThrow(
      /is not a Terraform JSON plan \(resource_changes\.0\.address: /,
    );
    expect(() => parsePlanJson({ format_version: '0.1' })).toThrow(/format_version: /);
  });

  it('refuses a binary plan file passed by mistake', () => {
    const file = join(temp, 'plan.tfplan');
    writeFileSync(file, Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00]));
    expect(() => readPlanJson(file)).toThrow(
      `${file} is not JSON. Pass the output of \`terraform show -json plan.tfplan\``,
    );
  });

  it('says when the file does not exist', () => {
    expect(() => readPlanJson(join(temp, 'nope.json'))).toThrow(`${join(temp, 'nope.json')} does not exist`);
  });
});

describe('pnpm plan:summary', () => {
  const run = (args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', join('scripts', 'src', 'plan-summary.ts'), ...args], {
      cwd: root,
      encoding: 'utf8',
    });

  it('prints the Markdown summary of a plan JSON file and exits 0', () => {
    const file = join('scripts', 'test', 'fixtures', 'plans', 'replace.json');
    const result = run([file, '--title', 'streamdrop-dev']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(renderSummary(summaryOf('replace'), { title: 'streamdrop-dev' }));
  }, 30_000);

  it('fails with one line when the file is not a plan', () => {
    const result = run([join('scripts', 'package.json')]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^error: scripts\/package\.json is not a Terraform JSON plan/);
  }, 30_000);
});
