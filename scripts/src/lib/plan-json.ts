import { readFileSync } from 'node:fs';
import { UserError } from '@streamdrop/cli-kit';
import { z } from 'zod';

/**
 * The part of Terraform's JSON plan (`terraform show -json <saved plan>`, format 1.x) that we
 * read. Everything else is allowed and ignored, so newer Terraform versions still parse.
 * https://developer.hashicorp.com/terraform/internals/json-format#plan-representation
 */
const path = z.array(z.union([z.string(), z.number()]));

const change = z.looseObject({
  actions: z.array(z.string()).min(1),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
  after_unknown: z.unknown().optional(),
  replace_paths: z.array(path).optional(),
  importing: z.looseObject({}).optional(),
});

const resourceChange = z.looseObject({
  address: z.string(),
  previous_address: z.string().optional(),
  mode: z.enum(['managed', 'data']),
  type: z.string(),
  change,
  action_reason: z.string().optional(),
});

const outputChange = z.looseObject({ actions: z.array(z.string()).min(1) });

export const planJsonSchema = z.looseObject({
  format_version: z.string().regex(/^1\./, 'a 1.x plan format (Terraform >= 1.0)'),
  terraform_version: z.string().optional(),
  resource_changes: z.array(resourceChange).optional(),
  output_changes: z.record(z.string(), outputChange).optional(),
  errored: z.boolean().optional(),
});

export type PlanJson = z.infer<typeof planJsonSchema>;
export type ResourceChange = z.infer<typeof resourceChange>;
export type Change = z.infer<typeof change>;

/** Validates a parsed plan; the error says what the input is when it is not a plan. */
export function parsePlanJson(value: unknown, source = 'the input'): PlanJson {
  if (value && typeof value === 'object' && 'values' in value && !('resource_changes' in value)) {
    throw new UserError(
      `${source} is the JSON of a state, not of a plan: run \`terraform show -json <saved plan file>\` on the file written by \`terraform plan -out\`.`,
    );
  }
  const result = planJsonSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    throw new UserError(
      `${source} is not a Terraform JSON plan (${where}${issue?.message ?? 'invalid'}). ` +
        'Produce it with `terraform plan -out=plan.tfplan && terraform show -json plan.tfplan > plan.json`.',
    );
  }
  return result.data;
}

/** Reads and validates `terraform show -json` output from a file. */
export function readPlanJson(file: string): PlanJson {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(code === 'ENOENT' ? `${file} does not exist` : `cannot read ${file} (${code})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UserError(
      `${file} is not JSON. Pass the output of \`terraform show -json plan.tfplan\`, not the plan file itself.`,
    );
  }
  return parsePlanJson(value, file);
}
