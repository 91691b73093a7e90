import { LocalError, StackError } from '../src/errors';
import { checkDayLength, lifecycleRules, selects } from '../src/lifecycle';
import { defaultStackFile } from '../src/paths';
import { readInventory } from '../src/stack/model';
import type { TerraformJson } from '../src/stack/terraform-json';

const inventory = {
  buckets: [{ address: 'aws_s3_bucket.data', name: 'data-local', role: 'data' }],
} as unknown as Parameters<typeof lifecycleRules>[1];

const stackWith = (
  rule: Record<string, unknown>[],
  bucket: unknown = '${aws_s3_bucket.data.id}',
): TerraformJson => ({
  resource: { aws_s3_bucket_lifecycle_configuration: { lc: { bucket, rule } } },
});

describe('the lifecycle rules, read from the synthesized stack', () => {
  it('reads the real stack’s rules onto its local buckets', () => {
    const { tf, inventory: real } = readInventory(defaultStackFile());
    const data = real.buckets.find((b) => b.role === 'data')?.name;
    const rules = lifecycleRules(tf, real);
    const pending = rules.find((r) => r.id === 'expire-pending-uploads');
    expect(pending).toMatchObject({
      bucket: data,
      enabled: true,
      prefix: '',
      tags: [{ key: 'streamdrop-state', value: 'pending' }],
      expirationDays: 2,
      notEmulated: ['noncurrent_version_expiration'],
    });
    expect(rules.find((r) => r.id === 'expire-idempotency')).toMatchObject({
      prefix: 'idempotency/',
      tags: [],
    });
    expect(
      rules
        .filter((r) => r.abortIncompleteDays === 7)
        .map((r) => r.bucket)
        .sort(),
    ).toEqual(real.buckets.map((b) => b.name).sort());
  });

  it('reads every filter form: prefix, tag, and (prefix, tags, sizes), the legacy rule prefix, dates, status', () => {
    const rules = lifecycleRules(
      stackWith([
        { id: 'by-prefix', status: 'Enabled', filter: [{ prefix: 'logs/' }], expiration: [{ days: 3 }] },
        {
          id: 'by-tag',
          status: 'Enabled',
          filter: { tag: { key: 'k', value: 'v' } },
          expiration: { days: '4' },
        },
        {
          id: 'by-and',
          status: 'Enabled',
          filter: [
            {
              and: [
                {
                  prefix: 'a/',
                  tags: { t1: 'x', t2: 'y' },
                  object_size_greater_than: 10,
                  object_size_less_than: '100',
                },
              ],
            },
          ],
          expiration: [{ date: '2030-01-01T00:00:00Z' }],
        },
        {
          id: 'legacy',
          status: 'Enabled',
          prefix: 'old/',
          abort_incomplete_multipart_upload: [{ days_after_initiation: 1 }],
        },
        {
          id: 'off',
          status: 'Disabled',
          filter: [{}],
          expiration: [{ days: 1 }],
          transition: [{ days: 30, storage_class: 'GLACIER' }],
        },
      ]),
      inventory,
    );
    expect(rules).toEqual([
      expect.objectContaining({
        id: 'by-prefix',
        bucket: 'data-local',
        prefix: 'logs/',
        tags: [],
        expirationDays: 3,
      }),
      expect.objectContaining({
        id: 'by-tag',
        prefix: '',
        tags: [{ key: 'k', value: 'v' }],
        expirationDays: 4,
      }),
      expect.objectContaining({
        id: 'by-and',
        prefix: 'a/',
        tags: [
          { key: 't1', value: 'x' },
          { key: 't2', value: 'y' },
        ],
        sizeGreaterThan: 10,
        sizeLessThan: 100,
        expirationDate: Date.parse('2030-01-01T00:00:00Z'),
      }),
      expect.objectContaining({
        id: 'legacy',
        prefix: 'old/',
        abortIncompleteDays: 1,
        expirationDays: undefined,
      }),
      expect.objectContaining({ id: 'off', enabled: false, notEmulated: ['transition'] }),
    ]);
  });

  it('refuses what it cannot resolve rather than guess', () => {
    expect(() => lifecycleRules(stackWith([], '${aws_s3_bucket.other.id}'), inventory)).toThrow(StackError);
    expect(() =>
      lifecycleRules(
        stackWith([{ id: 'x', filter: [{ prefix: '${var.p}' }], expiration: [{ days: 1 }] }]),
        inventory,
      ),
    ).toThrow(/literal string/);
    expect(() => lifecycleRules(stackWith([{ id: 'x', expiration: [{ days: -1 }] }]), inventory)).toThrow(
      /non-negative number/,
    );
  });
});

describe('which objects a rule selects', () => {
  const rule = lifecycleRules(
    stackWith([
      {
        id: 'r',
        status: 'Enabled',
        filter: [
          {
            and: [
              { prefix: 'uploads/', tags: { 'streamdrop-state': 'pending' }, object_size_less_than: 100 },
            ],
          },
        ],
        expiration: [{ days: 2 }],
      },
    ]),
    inventory,
  )[0];
  if (!rule) throw new Error('no rule');
  const pending = [{ key: 'streamdrop-state', value: 'pending' }];

  it('selects by prefix, size and every tag', () => {
    expect(selects(rule, { key: 'uploads/a', size: 5, tags: pending })).toBe(true);
    expect(selects(rule, { key: 'processed/a', size: 5, tags: pending })).toBe(false);
    expect(selects(rule, { key: 'uploads/a', size: 100, tags: pending })).toBe(false);
    expect(
      selects(rule, { key: 'uploads/a', size: 5, tags: [{ key: 'streamdrop-state', value: 'complete' }] }),
    ).toBe(false);
    expect(selects(rule, { key: 'uploads/a', size: 5, tags: [] })).toBe(false);
  });
});

describe('the length of a local day', () => {
  const rules = lifecycleRules(
    stackWith([
      { id: 'expire', status: 'Enabled', filter: [{}], expiration: [{ days: 2 }] },
      {
        id: 'expire-soon',
        status: 'Enabled',
        filter: [{ prefix: 'idempotency/' }],
        expiration: [{ days: 1 }],
      },
      {
        id: 'abort',
        status: 'Enabled',
        filter: [{}],
        abort_incomplete_multipart_upload: [{ days_after_initiation: 7 }],
      },
      {
        id: 'expire-sessions',
        status: 'Enabled',
        filter: [{ tag: [{ key: 'streamdrop-state', value: 'uploading' }] }],
        expiration: [{ days: 1 }],
      },
    ]),
    inventory,
  );

  it('is refused when a rule could expire what a function is still writing, naming the shortest that works', () => {
    expect(() => checkDayLength(rules, 5, { api: 10 })).toThrow(LocalError);
    // The rule that needs the longest day is the one named.
    expect(() => checkDayLength(rules, 10, { api: 10 })).toThrow(
      '--lifecycle-day-seconds 10 is too short: the rule expire-soon of data-local expires objects after 1 day(s), 10 s, ' +
        'while a function may still be writing them (it may run 10 s). Use at least 11.',
    );
    expect(() => checkDayLength(rules, 11, { api: 10 })).not.toThrow();
    expect(() => checkDayLength(rules, 86_400, { api: 30 })).not.toThrow();
  });

  it('is not bound by abort rules or by the bytes of upload sessions, which no function acknowledges', () => {
    const only = (id: string) => rules.filter((rule) => rule.id === id);
    // An abort of a multipart upload in flight fails its completion, which is retried.
    expect(() => checkDayLength(only('abort'), 1, { api: 900 })).not.toThrow();
    // Clients write session bytes; a short day expires abandoned sessions early, as tests want.
    expect(() => checkDayLength(only('expire-sessions'), 1, { api: 900 })).not.toThrow();
    expect(() => checkDayLength(only('expire'), 1, { api: 900 })).toThrow(/Use at least 451\.$/);
  });
});
