import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { type Metric, markdownTable } from './metrics';

export interface RunInfo {
  readonly date: string;
  readonly mode: 'full' | 'quick';
  readonly machine: { cpu: string; cores: number; memoryGiB: number; platform: string; arch: string };
  readonly node: string;
  readonly commit: string;
  /** Whether the working tree had uncommitted changes when the bench ran. */
  readonly dirty: boolean;
  readonly settings: Record<string, unknown>;
  readonly durationS: number;
}

export interface Results extends RunInfo {
  readonly metrics: readonly Metric[];
  /** Suites that could not run, with why. */
  readonly errors: ReadonlyArray<{ suite: string; error: string }>;
}

function git(root: string, args: string[]): string {
  try {
    return execFileSync('git', args, {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return '';
  }
}

export function runInfo(
  root: string,
  mode: RunInfo['mode'],
  settings: Record<string, unknown>,
  durationS: number,
): RunInfo {
  const cpu = cpus();
  return {
    date: new Date().toISOString(),
    mode,
    machine: {
      cpu: cpu[0]?.model.trim() ?? 'unknown',
      cores: cpu.length,
      memoryGiB: Math.round(totalmem() / 1024 ** 3),
      platform: process.platform,
      arch: process.arch,
    },
    node: process.version,
    commit: git(root, ['rev-parse', '--short', 'HEAD']) || 'unknown',
    dirty: git(root, ['status', '--porcelain']) !== '',
    settings,
    durationS,
  };
}

/** The Markdown report: what ran where, then the table, then each metric's note. */
export function markdownReport(results: Results): string {
  const m = results.machine;
  const lines = [
    `# streamdrop benchmarks (${results.mode})`,
    '',
    `- Date: ${results.date}`,
    `- Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.platform}/${m.arch}`,
    `- Node: ${results.node}`,
    `- Commit: ${results.commit}${results.dirty ? ' (with uncommitted changes)' : ''}`,
    `- Settings: ${Object.entries(results.settings)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}`,
    `- Duration: ${results.durationS.toFixed(0)} s`,
    '',
    markdownTable(results.metrics),
    '',
  ];
  if (results.errors.length > 0) {
    lines.push(
      '## Suites that did not run',
      '',
      ...results.errors.map((e) => `- ${e.suite}: ${e.error}`),
      '',
    );
  }
  lines.push(
    '## Notes',
    '',
    ...results.metrics.filter((x) => x.note).map((x) => `- \`${x.name}\`: ${x.note}`),
    '',
  );
  return lines.join('\n');
}

export function writeResults(dir: string, results: Results): { json: string; md: string } {
  mkdirSync(dir, { recursive: true });
  const json = join(dir, 'latest.json');
  const md = join(dir, 'latest.md');
  writeFileSync(json, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(md, markdownReport(results));
  return { json, md };
}
