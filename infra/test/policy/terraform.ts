/**
 * Reading a synthesized Terraform JSON stack the way the policy rules need it: resources by type,
 * references between them, nested blocks in either of the shapes cdktf writes, and IAM policy
 * documents (JSON strings or `data.aws_iam_policy_document` references) as normalised statements.
 * Pure functions over plain JSON: no cdktf, no Terraform, no file system.
 */

export type TfBody = Record<string, unknown>;

/** The part of `cdk.tf.json` the rules read. A negative test passes a fragment of the same shape. */
export interface TfStack {
  resource?: Record<string, Record<string, TfBody>>;
  data?: Record<string, Record<string, TfBody>>;
}

export interface TfResource {
  type: string;
  name: string;
  /** `type.name`, as Terraform and the violation messages name it. */
  address: string;
  body: TfBody;
}

export function resources(stack: TfStack, type: string): TfResource[] {
  return Object.entries(stack.resource?.[type] ?? {}).map(([name, body]) => ({
    type,
    name,
    address: `${type}.${name}`,
    body,
  }));
}

export function isRecord(value: unknown): value is TfBody {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A nested block: cdktf writes some as an object and some as a one-element list. */
export function block(value: unknown): TfBody | undefined {
  if (Array.isArray(value)) return isRecord(value[0]) ? value[0] : undefined;
  return isRecord(value) ? value : undefined;
}

/** Every instance of a repeatable nested block, whichever shape it was written in. */
export function blocks(value: unknown): TfBody[] {
  if (Array.isArray(value)) return value.filter(isRecord);
  return isRecord(value) ? [value] : [];
}

export function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** True when `value` is (or contains) a reference to `resource` such as `${aws_s3_bucket.data.id}`. */
export function refersTo(value: unknown, resource: Pick<TfResource, 'address'>): boolean {
  return typeof value === 'string' && value.includes(`\${${resource.address}.`);
}

/**
 * The resources of `type` that configure `bucket` through their `bucket` argument: a reference to
 * the bucket resource, or its literal name when the bucket has a fixed one.
 */
export function companions(stack: TfStack, type: string, bucket: TfResource): TfResource[] {
  const literal = typeof bucket.body.bucket === 'string' ? bucket.body.bucket : undefined;
  return resources(stack, type).filter(
    (r) => refersTo(r.body.bucket, bucket) || (literal !== undefined && r.body.bucket === literal),
  );
}

export interface Principal {
  /** `*` for `"Principal": "*"`, else AWS, Service, Federated or CanonicalUser. */
  type: string;
  identifiers: string[];
}

export interface Condition {
  test: string;
  variable: string;
  values: string[];
}

/** One IAM statement, whichever way it was written. */
export interface Statement {
  sid?: string;
  effect: 'Allow' | 'Deny';
  actions: string[];
  notActions: string[];
  resources: string[];
  notResources: string[];
  principals: Principal[];
  notPrincipals: Principal[];
  conditions: Condition[];
}

export type PolicyRead = { ok: true; statements: Statement[] } | { ok: false; reason: string };

function jsonPrincipals(value: unknown): Principal[] {
  if (value === undefined) return [];
  if (value === '*') return [{ type: '*', identifiers: ['*'] }];
  if (!isRecord(value)) return [{ type: '?', identifiers: strings(value) }];
  return Object.entries(value).map(([type, ids]) => ({ type, identifiers: strings(ids) }));
}

function jsonConditions(value: unknown): Condition[] {
  if (!isRecord(value)) return [];
  return Object.entries(value).flatMap(([test, byVariable]) =>
    isRecord(byVariable)
      ? Object.entries(byVariable).map(([variable, values]) => ({ test, variable, values: strings(values) }))
      : [],
  );
}

function fromJson(text: string): PolicyRead {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'the policy is not JSON' };
  }
  if (!isRecord(doc)) return { ok: false, reason: 'the policy is not a JSON object' };
  const raw = Array.isArray(doc.Statement) ? doc.Statement : isRecord(doc.Statement) ? [doc.Statement] : [];
  if (raw.length === 0) return { ok: false, reason: 'the policy has no statements' };
  const statements: Statement[] = [];
  for (const s of raw) {
    if (!isRecord(s) || (s.Effect !== 'Allow' && s.Effect !== 'Deny')) {
      return { ok: false, reason: 'a statement has no Effect of Allow or Deny' };
    }
    statements.push({
      ...(typeof s.Sid === 'string' ? { sid: s.Sid } : {}),
      effect: s.Effect,
      actions: strings(s.Action),
      notActions: strings(s.NotAction),
      resources: strings(s.Resource),
      notResources: strings(s.NotResource),
      principals: jsonPrincipals(s.Principal),
      notPrincipals: jsonPrincipals(s.NotPrincipal),
      conditions: jsonConditions(s.Condition),
    });
  }
  return { ok: true, statements };
}

function fromPolicyDocument(doc: TfBody): PolicyRead {
  const raw = blocks(doc.statement);
  if (raw.length === 0) return { ok: false, reason: 'the policy document has no statements' };
  return {
    ok: true,
    statements: raw.map((s) => ({
      ...(typeof s.sid === 'string' ? { sid: s.sid } : {}),
      // The data source defaults effect to Allow.
      effect: s.effect === 'Deny' ? 'Deny' : 'Allow',
      actions: strings(s.actions),
      notActions: strings(s.not_actions),
      resources: strings(s.resources),
      notResources: strings(s.not_resources),
      principals: blocks(s.principals).map((p) => ({
        type: String(p.type ?? '?'),
        identifiers: strings(p.identifiers),
      })),
      notPrincipals: blocks(s.not_principals).map((p) => ({
        type: String(p.type ?? '?'),
        identifiers: strings(p.identifiers),
      })),
      conditions: blocks(s.condition).map((c) => ({
        test: String(c.test ?? ''),
        variable: String(c.variable ?? ''),
        values: strings(c.values),
      })),
    })),
  };
}

const POLICY_DOCUMENT_REF = /^\$\{data\.aws_iam_policy_document\.([^.}]+)\.json\}$/;

/**
 * The statements of a policy argument: inline JSON, or a reference to an `aws_iam_policy_document`
 * data source of the same stack. Anything else (jsonencode of a variable, a file, another
 * resource's output) cannot be judged from the synthesized JSON, and the rules treat it as a
 * violation rather than as a pass.
 */
export function readPolicy(stack: TfStack, value: unknown): PolicyRead {
  if (typeof value !== 'string' || value === '') return { ok: false, reason: 'the policy is missing' };
  const ref = POLICY_DOCUMENT_REF.exec(value);
  if (ref?.[1]) {
    const doc = stack.data?.aws_iam_policy_document?.[ref[1]];
    return doc
      ? fromPolicyDocument(doc)
      : { ok: false, reason: `data.aws_iam_policy_document.${ref[1]} is not in the stack` };
  }
  const read = fromJson(value);
  // Interpolations inside JSON text (ARNs of the stack's resources) are fine; a whole-value
  // expression such as ${jsonencode(...)} or ${file(...)} is not JSON until Terraform evaluates it.
  if (!read.ok && value.trimStart().startsWith('${')) {
    return { ok: false, reason: 'the policy is computed and cannot be read' };
  }
  return read;
}

/** A principal that matches anyone: `"*"` or `{"AWS": "*"}`. */
export function isAnyone(principal: Principal): boolean {
  return (principal.type === '*' || principal.type === 'AWS') && principal.identifiers.includes('*');
}

/** Converts a Cognito token validity to minutes, with Cognito's default unit for each token. */
export function validityMinutes(amount: unknown, unit: unknown, defaultUnit: string): number | undefined {
  if (typeof amount !== 'number') return undefined;
  const perUnit: Record<string, number> = { seconds: 1 / 60, minutes: 1, hours: 60, days: 1440 };
  const factor = perUnit[typeof unit === 'string' ? unit : defaultUnit];
  return factor === undefined ? undefined : amount * factor;
}
