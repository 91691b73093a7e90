/**
 * pnpm bench [--quick] [--latency-ms 20] [--only a,b] [--processor-concurrency N] [--large-object-mib 1024]
 *
 * Measures what matters for streamdrop — processor throughput and memory, bundle size, cold
 * init, upload CPU, the local stack end to end, synth and plan — and the seed-style design on
 * the same machine in the same run. Prints a table; writes bench/results/latest.json and
 * latest.md. Benchmarks are not tests: nothing here fails a build, and `met` is only reported.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type Metric, markdownTable } from './lib/metrics';
import { repoRoot } from './lib/paths';
import { runInfo, writeResults } from './lib/results';
import type { BenchOptions, Suite } from './lib/suite';
import { bundleSize } from './suites/bundle-size';
import { coldInit } from './suites/cold-init';
import { infra } from './suites/infra';
import { localE2e } from './suites/local-e2e';
import { processorMemory, processorThroughput } from './suites/processor';
import { uploadCpu } from './suites/upload-cpu';

const SUITES: Record<string, Suite> = {
  bundles: bundleSize,
  'cold-init': coldInit,
  throughput: processorThroughput,
  memory: processorMemory,
  'upload-cpu': uploadCpu,
  local: localE2e,
  infra,
};

const USAGE = `usage: pnpm bench [--quick] [--latency-ms N] [--only ${Object.keys(SUITES).join(',')}]
                  [--processor-concurrency N] [--large-object-mib N]`;

function positiveInt(
  name: string,
  raw: string | undefined,
  fallback: number | undefined,
): number | undefined {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`--${name} must be a whole number (got "${raw}")\n${USAGE}`);
  return n;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    // pnpm passes a literal "--" through when called as `pnpm bench -- --quick`.
    args: process.argv.slice(2).filter((a) => a !== '--'),
    options: {
      quick: { type: 'boolean', default: false },
      'latency-ms': { type: 'string' },
      only: { type: 'string' },
      'processor-concurrency': { type: 'string' },
      'large-object-mib': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const options: BenchOptions = {
    quick: values.quick,
    latencyMs: positiveInt('latency-ms', values['latency-ms'], 20) ?? 20,
    processorConcurrency: positiveInt('processor-concurrency', values['processor-concurrency'], undefined),
    largeObjectMiB: positiveInt('large-object-mib', values['large-object-mib'], 1024) ?? 1024,
  };
  const only = values.only?.split(',').map((s) => s.trim()) ?? Object.keys(SUITES);
  const unknown = only.filter((name) => !(name in SUITES));
  if (unknown.length > 0) throw new Error(`unknown suite(s) ${unknown.join(', ')}\n${USAGE}`);

  const root = repoRoot();
  const started = performance.now();
  const metrics: Metric[] = [];
  const errors: Array<{ suite: string; error: string }> = [];
  console.log(`streamdrop bench (${options.quick ? 'quick' : 'full'}), stub latency ${options.latencyMs} ms`);
  for (const key of only) {
    const suite = SUITES[key] as Suite;
    const t0 = performance.now();
    console.log(`> ${suite.name}`);
    try {
      metrics.push(...(await suite.run(options, (line) => console.log(line))));
      console.log(`  (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      errors.push({ suite: suite.name, error: message.split('\n')[0] ?? message });
      console.error(`  ${suite.name} did not run: ${message}`);
    }
  }
  const info = runInfo(
    root,
    options.quick ? 'quick' : 'full',
    {
      latencyMs: options.latencyMs,
      processorConcurrency: options.processorConcurrency ?? 'stack default',
      largeObjectMiB: options.largeObjectMiB,
      suites: only.join('+'),
    },
    (performance.now() - started) / 1000,
  );
  const files = writeResults(join(root, 'bench', 'results'), { ...info, metrics, errors });
  console.log(`\n${markdownTable(metrics)}\n`);
  const missed = metrics.filter((m) => m.met === false).map((m) => m.name);
  console.log(
    `${metrics.length} metrics in ${info.durationS.toFixed(0)} s; targets missed: ${missed.length === 0 ? 'none' : missed.join(', ')}`,
  );
  console.log(`wrote ${files.json} and ${files.md}`);
  // A missed target is a finding, not a failure; a suite that could not run is.
  return errors.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  },
);
