import { readFileSync } from 'node:fs';
import { command, stringFlag, UserError } from '@streamdrop/cli-kit';
import { readPlanJson } from './lib/plan-json';
import { renderSummary, summarizePlan } from './lib/plan-summary';

command(
  {
    usage: 'pnpm plan:summary <plan.json> [--title <text>] [--details <plan.txt>]',
    summary:
      'Prints a Markdown review of a saved Terraform plan: counts to add / change / replace / destroy, every resource with its action, and a warning for each stateful resource that is replaced or destroyed, naming the attributes that force it.',
    flags: {
      title: { type: 'string', description: 'text for the heading, e.g. the stack name' },
      details: {
        type: 'string',
        description:
          'append this full plan text (terraform show -no-color) collapsed, cut to fit a GitHub comment',
      },
    },
    positionals: true,
    notes: [
      'Input: the JSON of a saved plan:',
      '  terraform plan -out=plan.tfplan && terraform show -json plan.tfplan > plan.json',
      'Exit code 0 whatever the plan holds; the warnings are for people.',
    ],
  },
  (args) => {
    const [file, ...rest] = args.positionals;
    if (file === undefined)
      throw new UserError('which plan? Usage: pnpm plan:summary <plan.json> (see --help)');
    if (rest.length > 0) throw new UserError(`one plan at a time; unexpected "${rest[0]}"`);
    const detailsFile = stringFlag(args, 'details');
    let planText: string | undefined;
    if (detailsFile !== undefined) {
      try {
        planText = readFileSync(detailsFile, 'utf8');
      } catch {
        throw new UserError(`cannot read --details ${detailsFile}`);
      }
    }
    const summary = summarizePlan(readPlanJson(file));
    process.stdout.write(renderSummary(summary, { title: stringFlag(args, 'title'), planText }));
    return 0;
  },
);
