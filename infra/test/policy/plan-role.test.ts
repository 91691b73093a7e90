/**
 * The plan role's policy (deploy/iam/plan-role-policy.json) against the synthesized stack: every
 * rule of plan-role.ts holds for the committed document, and every rule reports each deliberately
 * broken version of plan-role-negatives.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { synth } from '../helpers';
import {
  DATA_READS,
  evaluatePlanRole,
  iamMatch,
  PLAN_ROLE_RULES,
  readPlanRolePolicy,
  type SynthesizedStack,
  UNNAMED_RESOURCES,
} from './plan-role';
import { PLAN_ROLE_NEGATIVES } from './plan-role-negatives';

const file = join(__dirname, '..', '..', '..', 'deploy', 'iam', 'plan-role-policy.json');
const text = readFileSync(file, 'utf8');
const policy = () => readPlanRolePolicy(text);

describe('the plan role policy', () => {
  // The stack as the workflows synthesize it: remote state, so that the backend names the state key.
  const stack = synth({ STREAMDROP_STATE_BUCKET: 'state-bucket' }).tf as unknown as SynthesizedStack;

  it('is an IAM policy document with a Sid on every statement, each different', () => {
    const doc = JSON.parse(text) as { Version: string; Statement: { Sid?: string }[] };
    expect(doc.Version).toBe('2012-10-17');
    const sids = doc.Statement.map((s) => s.Sid);
    expect(sids.every((sid) => typeof sid === 'string' && /^[A-Za-z0-9]+$/.test(sid))).toBe(true);
    expect(new Set(sids).size).toBe(sids.length);
  });

  it('leaves only the placeholders STATE_BUCKET, REGION and ACCOUNT_ID to fill in', () => {
    const placeholders = new Set(text.match(/\b[A-Z][A-Z_]{3,}\b/g));
    expect([...placeholders].sort()).toEqual(['ACCOUNT_ID', 'REGION', 'STATE_BUCKET']);
  });

  it.each(PLAN_ROLE_RULES.map((r) => [r.id, r] as const))('%s holds', (_id, rule) => {
    expect(rule.check(policy(), stack)).toEqual([]);
  });

  it('grants, of the actions that read data, only s3:GetObject, only on the state, its lock and the tagged web client files', () => {
    const grants = policy()
      .filter((s) => s.effect === 'Allow')
      .flatMap((s) =>
        DATA_READS.filter(({ action }) => s.actions.some((p) => iamMatch(p, action, true))).map(
          ({ action }) => ({
            action,
            resources: s.resources,
          }),
        ),
      );
    expect(grants).toEqual([
      {
        action: 's3:GetObject',
        resources: [
          'arn:aws:s3:::STATE_BUCKET/streamdrop/*/terraform.tfstate',
          'arn:aws:s3:::STATE_BUCKET/streamdrop/*/terraform.tfstate.tflock',
        ],
      },
      { action: 's3:GetObject', resources: ['arn:aws:s3:::streamdrop-*-web-*/*'] },
    ]);
  });

  it('gives every exception to name-scoping a reason a reviewer can weigh', () => {
    for (const e of UNNAMED_RESOURCES) expect(e.reason.length).toBeGreaterThan(60);
  });
});

describe('plan role negative tests', () => {
  const stack = synth({ STREAMDROP_STATE_BUCKET: 'state-bucket' }).tf as unknown as SynthesizedStack;

  it('every rule has at least one negative test, and every negative names a rule', () => {
    expect(Object.keys(PLAN_ROLE_NEGATIVES).sort()).toEqual(PLAN_ROLE_RULES.map((r) => r.id).sort());
    for (const cases of Object.values(PLAN_ROLE_NEGATIVES)) expect(cases.length).toBeGreaterThan(0);
  });

  const cases = Object.entries(PLAN_ROLE_NEGATIVES).flatMap(([id, list]) =>
    list.map(([label, breakage, message]) => [id, label, breakage, message] as const),
  );

  it.each(cases)('%s reports %s', (id, _label, breakage, message) => {
    const bad = policy();
    breakage(bad);
    const rule = PLAN_ROLE_RULES.find((r) => r.id === id);
    expect(rule?.check(bad, stack)).toContainEqual({
      rule: id,
      address: expect.stringMatching(/^plan-role-policy\.json(#[A-Za-z0-9 ]+)?$/),
      message: expect.stringMatching(message),
    });
  });

  it('reports a resource type of the stack it knows nothing about', () => {
    const grown = { ...stack, resource: { ...stack.resource, aws_sqs_queue: { dead_letters: {} } } };
    expect(evaluatePlanRole(policy(), grown)).toEqual([
      {
        rule: 'PLAN_ROLE_COVERS_STACK',
        address: 'plan-role-policy.json',
        message:
          'does not say what reading aws_sqs_queue needs: add its read actions to READ_ACTIONS and the policy',
      },
    ]);
  });
});

describe('iamMatch', () => {
  it.each([
    ['s3:GetBucket*', 's3:GetBucketPolicy', true],
    ['s3:GetBucket*', 's3:GetObject', false],
    ['kinesis:Get*', 'kinesis:GetRecords', true],
    [
      'arn:aws:s3:::STATE_BUCKET/streamdrop/*/terraform.tfstate',
      'arn:aws:s3:::STATE_BUCKET/streamdrop/prod/terraform.tfstate',
      true,
    ],
    [
      'arn:aws:s3:::STATE_BUCKET/streamdrop/*/terraform.tfstate',
      'arn:aws:s3:::STATE_BUCKET/streamdrop/prod/terraform.tfstate.tflock',
      false,
    ],
    ['lambda:Get?olicy', 'lambda:GetPolicy', true],
  ])('%s matches %s: %s', (pattern, value, expected) => {
    expect(iamMatch(pattern, value)).toBe(expected);
  });
});
