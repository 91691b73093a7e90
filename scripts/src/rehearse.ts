import { writeFileSync } from 'node:fs';
import { booleanFlag, command, stringFlag } from '@streamdrop/cli-kit';
import { findRepoRoot } from './lib/paths';
import { rehearse } from './lib/rehearsal';

command(
  {
    usage: 'pnpm rehearse [--endpoint-url <url>] [--stage <name>] [--keep] [--verbose] [--report <file>]',
    summary:
      'Applies the real synthesized stack to moto_server (a local AWS API emulator), checks its outputs and data bucket, re-plans until it converges, then destroys it and checks that nothing is left. No AWS account is touched.',
    flags: {
      'endpoint-url': {
        type: 'string',
        description: 'a moto server already running (default: start moto_server on a free 127.0.0.1 port)',
      },
      stage: { type: 'string', description: 'stage name of the rehearsed stack (default rehearsal)' },
      keep: { type: 'boolean', description: 'keep the work folder (synth output, state) even on success' },
      verbose: { type: 'boolean', description: "show terraform's own output" },
      report: {
        type: 'string',
        description: 'also write the result (outputs, drift, times) to this JSON file',
      },
    },
    notes: [
      "moto's one gap the stack trips over: it applies a bucket policy's Deny to object requests without",
      'its Condition, so the rehearsal drops `<bucket>/*` from the TLS-only statements (see docs/deploy.md).',
      'Terraform state and data dir live in a temporary folder; nothing in the checkout is touched.',
    ],
  },
  async (args) => {
    const report = await rehearse({
      root: findRepoRoot(),
      endpoint: stringFlag(args, 'endpoint-url'),
      stage: stringFlag(args, 'stage'),
      keep: booleanFlag(args, 'keep'),
      verbose: booleanFlag(args, 'verbose'),
    });
    const t = report.times;
    const s = (n: number | undefined) => (n === undefined ? '-' : `${n.toFixed(1)} s`);
    console.log(
      [
        '',
        `rehearsal of ${report.stackName} passed: ${report.resources} resources applied, converged and destroyed.`,
        `  apply    ${s(t.apply)}  (plan ${s(t.plan)})`,
        `  re-plan  ${s(t.replan)}${t.reapply === undefined ? '' : `  + converging apply ${s(t.reapply)} and plan ${s(t.converged)} (moto's Kinesis tag drift)`}`,
        `  destroy  ${s(t.destroy)}  (teardown settings ${s(t.teardown)})`,
        ...(report.workDir ? [`  work folder: ${report.workDir}`] : []),
      ].join('\n'),
    );
    const file = stringFlag(args, 'report');
    if (file) writeFileSync(file, `${JSON.stringify({ ok: true, ...report }, null, 2)}\n`);
    return 0;
  },
);
