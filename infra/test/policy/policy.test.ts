/**
 * The infrastructure policy over the synthesized stack: every rule of rules.ts holds for the stack
 * `pnpm synth` produces, and every rule reports each deliberately bad fragment of negatives.ts.
 */
import { synth } from '../helpers';
import { compliantStack } from './fixtures';
import { NEGATIVES } from './negatives';
import { evaluate, RULES, WAIVED_CHECKS, WILDCARD_RESOURCE_EXCEPTIONS } from './rules';
import type { TfStack } from './terraform';

const ruleById = (id: string) => {
  const rule = RULES.find((r) => r.id === id);
  if (!rule) throw new Error(`no rule ${id}`);
  return rule;
};

describe('infrastructure policy', () => {
  // The synthesized stack, exactly as `pnpm synth` writes it (fake bundles, default configuration).
  const { tf } = synth();
  const stack = tf as unknown as TfStack;

  describe('on the synthesized stack', () => {
    it.each(RULES.map((r) => [r.id, r] as const))('%s holds', (_id, rule) => {
      expect(rule.check(stack)).toEqual([]);
    });

    it.each(RULES.map((r) => [r.id, r.appliesTo] as const))(
      '%s inspects resources the stack has, so it cannot pass by finding nothing',
      (_id, types) => {
        for (const type of types) expect(Object.keys(stack.resource?.[type] ?? {}).length).toBeGreaterThan(0);
      },
    );

    it('grants "*" resources only for the listed exceptions, and uses each of them', () => {
      const policies = Object.values(stack.resource?.aws_iam_role_policy ?? {}).map(
        (p) => JSON.parse(String(p.policy)) as { Statement: { Action: string[]; Resource: string[] }[] },
      );
      const onStar = policies.flatMap((p) =>
        p.Statement.filter((s) => s.Resource.includes('*')).flatMap((s) => s.Action),
      );
      // Each function's trace writes, and the streams function's ListStreams.
      expect([...new Set(onStar)].sort()).toEqual(WILDCARD_RESOURCE_EXCEPTIONS.map((e) => e.action).sort());
    });
  });

  describe('on synthesized stacks the configuration allows but the policy does not', () => {
    it.each([
      ['retries until expiry', { STREAMDROP_MAX_RETRY_ATTEMPTS: '-1' }, 'ESM_BOUNDED_RETRIES'],
      ['no record age limit', { STREAMDROP_MAX_RECORD_AGE_SECONDS: '-1' }, 'ESM_BOUNDED_RECORD_AGE'],
      [
        'a plain-http CORS origin',
        { STREAMDROP_CORS_ORIGINS: 'http://app.example.com' },
        'API_CORS_RESTRICTED',
      ],
    ])('reports %s', (_label, env, ruleId) => {
      const violations = evaluate(synth(env).tf as unknown as TfStack);
      expect(violations.map((v) => v.rule)).toEqual([ruleId]);
    });
  });

  describe('negative tests', () => {
    it('the compliant fixture the negatives start from passes every rule', () => {
      expect(evaluate(compliantStack())).toEqual([]);
    });

    it('every rule has at least one negative test, and every negative names a rule', () => {
      expect(Object.keys(NEGATIVES).sort()).toEqual(RULES.map((r) => r.id).sort());
      for (const cases of Object.values(NEGATIVES)) expect(cases.length).toBeGreaterThan(0);
    });

    const cases = Object.entries(NEGATIVES).flatMap(([id, list]) =>
      list.map(([label, breakage, message]) => [id, label, breakage, message] as const),
    );

    it.each(cases)('%s reports %s', (id, _label, breakage, message) => {
      const bad = compliantStack();
      breakage(bad);
      const violations = ruleById(id).check(bad);
      expect(violations).toContainEqual({
        rule: id,
        address: expect.stringMatching(/^aws_[a-z0-9_]+\.[A-Za-z0-9_-]+$/),
        message: expect.stringMatching(message),
      });
    });
  });

  describe('exceptions', () => {
    it('admits kinesis:ListStreams and the X-Ray trace writes alone on "*"', () => {
      const s = compliantStack();
      expect(ruleById('IAM_NO_WILDCARD_RESOURCES').check(s)).toEqual([]);
      expect(JSON.stringify(s)).toContain('kinesis:ListStreams');
    });

    it('gives every exception and every waived check a reason a reviewer can weigh', () => {
      for (const e of WILDCARD_RESOURCE_EXCEPTIONS) expect(e.reason.length).toBeGreaterThan(80);
      for (const w of WAIVED_CHECKS) expect(w.reason.length).toBeGreaterThan(40);
      const ids = WAIVED_CHECKS.map((w) => w.id);
      expect(new Set(ids).size).toBe(ids.length);
    });

    it('does not waive a check that a rule enforces', () => {
      const enforced = new Set(RULES.flatMap((r) => r.checkov ?? []));
      for (const w of WAIVED_CHECKS) expect(enforced.has(w.id)).toBe(false);
    });
  });

  it('has unique rule ids and at least 25 rules', () => {
    const ids = RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThanOrEqual(25);
  });
});
