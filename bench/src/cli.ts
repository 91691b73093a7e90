/**
 * pnpm bench [--quick] [--latency-ms 20] [--only a,b] [--processor-concurrency N] [--large-object-mib 1024]
 *            [--uploads N] [--rate N]
 *
 * Measures what matters for streamdrop — processor throughput and memory, bundle size, cold
 * init, upload CPU, the local stack end to end, synth and plan — beside a baseline (the project's
 * first, naive one-record-at-a-time processor) on the same machine in the same run. Prints a table; writes bench/results/latest.json and
 * latest.md. Benchmarks are not tests: nothing here fails a build, and `met` is only reported.
 */
import { join } from 'node:path';
import {
  type Args,
  booleanFlag,
  type CommandSpec,
  command,
  integerFlag,
  stringFlag,
  UserError,
} from '@streamdrop/cli-kit';
import { type Metric, markdownTable } from './lib/metrics';
import { repoRoot } from './lib/paths';
import { runInfo, writeResults } from './lib/results';
import type { BenchOptions, Suite } from './lib/suite';
import { bundleSize } from './suites/bundle-size';
import { coldInit } from './suites/cold-init';
import { directUploads } from './suites/direct-uploads';
import { infra } from './suites/infra';
import { E2E_RATE, localE2e } from './suites/local-e2e';
import { processorMemory, processorThroughput } from './suites/processor';
import { uploadCpu } from './suites/upload-cpu';
import { webBundle } from './suites/web-bundle';

const SUITES: Record<string, Suite> = {
  bundles: bundleSize,
  web: webBundle,
  'cold-init': coldInit,
  throughput: processorThroughput,
  memory: processorMemory,
  'upload-cpu': uploadCpu,
  local: localE2e,
  direct: directUploads,
  infra,
};

const SPEC: CommandSpec = {
  usage:
    'pnpm bench [--quick] [--latency-ms N] [--only a,b] [--processor-concurrency N] [--large-object-mib N] [--uploads N] [--rate N]',
  summary:
    'Measures processor throughput and memory, bundle size, cold init, upload CPU, the local stack end to end, ' +
    'synth and plan, beside the project’s first, naive processor (one record at a time) on the same machine ' +
    'in the same run. Prints a table; writes ' +
    'bench/results/latest.json and latest.md. A missed target is reported, never a failure; a suite that ' +
    'could not run exits 1.',
  flags: {
    quick: {
      type: 'boolean',
      description: 'fewer repetitions and smaller loads (the whole run stays under 90 s)',
    },
    'latency-ms': {
      type: 'string',
      value: 'N',
      description: 'latency the S3/Kinesis stubs add to every call',
      default: '20',
    },
    only: { type: 'string', value: 'a,b', description: `suites to run: ${Object.keys(SUITES).join(', ')}` },
    'processor-concurrency': {
      type: 'string',
      value: 'N',
      description: "PROCESSOR_CONCURRENCY for the processor runs (default: the synthesized stack's value)",
    },
    'large-object-mib': {
      type: 'string',
      value: 'N',
      description: 'size of the memory benchmark’s large object, in MiB',
      default: '1024',
    },
    uploads: {
      type: 'string',
      value: 'N',
      description: 'local stack: uploads of the end-to-end run (default 30 s worth; 100 with --quick)',
    },
    rate: {
      type: 'string',
      value: 'N',
      description: 'local stack: uploads per second',
      default: String(E2E_RATE),
    },
  },
  notes: [
    '`pnpm bench:local` is `pnpm bench --only local --quick`: the local stack end to end, 100 uploads at 20/s.',
  ],
};

const WHOLE = { min: 0, max: Number.MAX_SAFE_INTEGER, rule: 'a whole number' };

async function main(args: Args): Promise<number> {
  const whole = (name: string, fallback: number) => integerFlag(args, name, fallback, WHOLE);
  const optional = (name: string) => (stringFlag(args, name) === undefined ? undefined : whole(name, 0));
  const options: BenchOptions = {
    quick: booleanFlag(args, 'quick'),
    latencyMs: whole('latency-ms', 20),
    processorConcurrency: optional('processor-concurrency'),
    largeObjectMiB: whole('large-object-mib', 1024),
    localUploads: optional('uploads'),
    localRate: integerFlag(args, 'rate', E2E_RATE, { min: 1, max: 1_000 }),
  };
  const only =
    stringFlag(args, 'only')
      ?.split(',')
      .map((s) => s.trim()) ?? Object.keys(SUITES);
  const unknown = only.filter((name) => !(name in SUITES));
  if (unknown.length > 0) {
    throw new UserError(
      `unknown suite(s) ${unknown.join(', ')}; the suites are ${Object.keys(SUITES).join(', ')}`,
    );
  }

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
      ...(only.includes('local') && {
        localUploads: options.localUploads ?? 'suite default',
        localRate: options.localRate,
      }),
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

command(SPEC, main, process.argv.slice(2), { userErrorCode: 2, unexpectedErrorCode: 2, exitWhenDone: true });
