import { timeCommand } from '../lib/child';
import { median, metric } from '../lib/metrics';
import { repoRoot } from '../lib/paths';
import type { Suite } from '../lib/suite';

/** `pnpm <script>` as the user types it: through the pnpm that runs the bench when there is one. */
function pnpm(script: string): Promise<number> {
  const execPath = process.env.npm_execpath;
  const viaNode = execPath && /pnpm\.c?js$/.test(execPath);
  return viaNode
    ? timeCommand(process.execPath, [execPath, 'run', script], { cwd: repoRoot() })
    : timeCommand('pnpm', ['run', script], { cwd: repoRoot() });
}

/** Wall time of `pnpm synth` (bundles + CDKTF synth) and `pnpm plan:offline` (synth + init + plan). */
export const infra: Suite = {
  name: 'infra',
  async run(options, log) {
    const runs = options.quick ? 1 : 3;
    const synth: number[] = [];
    const plan: number[] = [];
    for (let i = 0; i < runs; i++) {
      synth.push(await pnpm('synth'));
      plan.push(await pnpm('plan:offline'));
    }
    log(
      `  synth ${synth.map((ms) => ms.toFixed(0)).join(', ')} ms; plan:offline ${plan.map((ms) => ms.toFixed(0)).join(', ')} ms`,
    );
    const of = runs === 1 ? 'one run' : `median of ${runs} runs`;
    return [
      metric({
        name: 'infra.synth_ms',
        value: median(synth),
        unit: 'ms',
        note: `\`pnpm synth\` (bundles the functions, then synthesizes), ${of}`,
      }),
      metric({
        name: 'infra.plan_offline_ms',
        value: median(plan),
        unit: 'ms',
        note: `\`pnpm plan:offline\` (synth, terraform init from the mirror, plan with fake credentials), ${of}`,
      }),
    ];
  },
};
