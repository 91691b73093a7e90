/**
 * What `pnpm bench` reports: one entry per metric, in latest.json and as a table.
 * Pure helpers only (no I/O), so that the tests can pin them down.
 */

export type Comparison = '<=' | '>=';

export interface Target {
  readonly op: Comparison;
  readonly value: number;
}

/** One row of latest.json. `target`/`met` compare `value`, except when `targetOn` says `ratio`. */
export interface Metric {
  readonly name: string;
  /** `null` when the measurement could not be taken (see `note`). */
  readonly value: number | null;
  readonly unit: string;
  /** The same measurement of the baseline (the project's first, naive processor, or esbuild's defaults), in the same run. */
  readonly baseline?: number | null;
  /** value / baseline. */
  readonly ratio?: number | null;
  /** Human-readable target, e.g. ">= 1000" or "ratio >= 30". */
  readonly target?: string;
  readonly met?: boolean;
  /** What was measured and how, or why there is no value. */
  readonly note?: string;
}

export interface MetricInput {
  name: string;
  value: number | null;
  unit: string;
  baseline?: number | null;
  /** Targets on the value; all must hold for `met`. */
  targets?: readonly Target[];
  /** Targets on value / baseline; all must hold for `met`. */
  ratioTargets?: readonly Target[];
  note?: string;
}

export function compare(value: number, target: Target): boolean {
  return target.op === '<=' ? value <= target.value : value >= target.value;
}

const round = (n: number, digits: number) => {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
};

/**
 * A metric with its ratio and `met` computed. `met` is false, never left out, when a target
 * exists but the value (or baseline) is missing: an unmeasured target is not met.
 */
export function metric(input: MetricInput): Metric {
  const targets = input.targets ?? [];
  const ratioTargets = input.ratioTargets ?? [];
  const hasBaseline = input.baseline !== undefined;
  const ratio =
    hasBaseline && input.value !== null && input.baseline !== null && input.baseline !== 0
      ? round(input.value / (input.baseline as number), 2)
      : hasBaseline
        ? null
        : undefined;
  const described = [
    ...targets.map((t) => `${t.op} ${t.value}`),
    ...ratioTargets.map((t) => `ratio ${t.op} ${t.value}`),
  ];
  let met: boolean | undefined;
  if (described.length > 0) {
    const value = input.value;
    met =
      value !== null &&
      targets.every((t) => compare(value, t)) &&
      ratioTargets.every((t) => ratio !== null && ratio !== undefined && compare(ratio, t));
  }
  return {
    name: input.name,
    value: input.value === null ? null : round(input.value, 2),
    unit: input.unit,
    ...(hasBaseline && { baseline: input.baseline === null ? null : round(input.baseline as number, 2) }),
    ...(ratio !== undefined && { ratio }),
    ...(described.length > 0 && { target: described.join(' and ') }),
    ...(met !== undefined && { met }),
    ...(input.note !== undefined && { note: input.note }),
  };
}

/** Nearest-rank percentile (p in 0..100) of already sorted numbers; NaN for none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number;
}

/** Median (mean of the two middle values for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Formats a number for the table: thousands separators, at most `digits` decimals. */
export function formatNumber(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  return value.toLocaleString('en-US', { maximumFractionDigits: digits });
}

const HEADERS = ['metric', 'value', 'unit', 'baseline', 'ratio', 'target', 'met'] as const;

function cells(m: Metric): string[] {
  return [
    m.name,
    formatNumber(m.value),
    m.unit,
    m.baseline === undefined ? '' : formatNumber(m.baseline),
    m.ratio === undefined ? '' : m.ratio === null ? '—' : `${formatNumber(m.ratio, 2)}×`,
    m.target ?? '',
    m.met === undefined ? '' : m.met ? 'yes' : 'NO',
  ];
}

/** A Markdown table of the metrics (also readable as plain text in a terminal). */
export function markdownTable(metrics: readonly Metric[]): string {
  const rows = [HEADERS.slice(), ...metrics.map(cells)];
  const widths = HEADERS.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const numeric = new Set([1, 3, 4]);
  const line = (r: readonly string[]) =>
    `| ${r.map((c, i) => (numeric.has(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (numeric.has(i) ? `${'-'.repeat(Math.max(1, w - 1))}:` : '-'.repeat(w))).join(' | ')} |`;
  const [header, ...body] = rows;
  return [line(header ?? []), rule, ...body.map(line)].join('\n');
}
