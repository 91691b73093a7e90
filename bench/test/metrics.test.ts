import { formatNumber, markdownTable, median, metric, percentile } from '../src/lib/metrics';

describe('metric', () => {
  it('computes the ratio to the baseline and says whether every target is met', () => {
    const m = metric({
      name: 'processor.records_per_s',
      value: 1500,
      unit: 'records/s',
      baseline: 25,
      targets: [{ op: '>=', value: 1000 }],
      ratioTargets: [{ op: '>=', value: 30 }],
    });

    expect(m).toEqual({
      name: 'processor.records_per_s',
      value: 1500,
      unit: 'records/s',
      baseline: 25,
      ratio: 60,
      target: '>= 1000 and ratio >= 30',
      met: true,
    });
  });

  it('is not met when the value meets its target but the ratio does not', () => {
    const m = metric({
      name: 'x',
      value: 1200,
      unit: 'u',
      baseline: 100,
      targets: [{ op: '>=', value: 1000 }],
      ratioTargets: [{ op: '>=', value: 30 }],
    });

    expect(m.ratio).toBe(12);
    expect(m.met).toBe(false);
  });

  it('compares "at most" targets inclusively', () => {
    expect(metric({ name: 'x', value: 100, unit: 'B', targets: [{ op: '<=', value: 100 }] }).met).toBe(true);
    expect(metric({ name: 'x', value: 100.5, unit: 'B', targets: [{ op: '<=', value: 100 }] }).met).toBe(
      false,
    );
  });

  it('never reports an unmeasured value as meeting its target', () => {
    const m = metric({ name: 'x', value: null, unit: 'ms', targets: [{ op: '<=', value: 40 }] });
    expect(m.met).toBe(false);
    expect(m.value).toBeNull();
  });

  it('keeps a missing baseline as null, with no ratio, and a ratio target then fails', () => {
    const m = metric({
      name: 'x',
      value: 5,
      unit: 'u',
      baseline: null,
      ratioTargets: [{ op: '>=', value: 1 }],
    });
    expect(m).toMatchObject({ baseline: null, ratio: null, met: false });
  });

  it('leaves target and met out of a metric that has no target', () => {
    const m = metric({ name: 'local.e2e_ms_p50', value: 250.4567, unit: 'ms', note: 'n' });
    expect(m).toEqual({ name: 'local.e2e_ms_p50', value: 250.46, unit: 'ms', note: 'n' });
  });
});

describe('percentile and median', () => {
  const sorted = Array.from({ length: 100 }, (_, i) => i + 1);

  it('takes the nearest rank', () => {
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile(sorted, 100)).toBe(100);
    expect(percentile(sorted, 0)).toBe(1);
    expect(percentile([7], 99)).toBe(7);
  });

  it('is NaN for no values', () => {
    expect(percentile([], 50)).toBeNaN();
    expect(median([])).toBeNaN();
  });

  it('takes the middle value, or the mean of the two middle ones, whatever the input order', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('does not reorder its input', () => {
    const values = [3, 1, 2];
    median(values);
    expect(values).toEqual([3, 1, 2]);
  });
});

describe('markdownTable', () => {
  it('prints one row per metric with its baseline, ratio, target and verdict', () => {
    const table = markdownTable([
      metric({
        name: 'a.bytes',
        value: 123456,
        unit: 'B',
        baseline: 246912,
        targets: [{ op: '<=', value: 100 }],
      }),
      metric({ name: 'b.ms', value: 12.345, unit: 'ms' }),
    ]);
    const lines = table.split('\n');

    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^\| metric +\| +value \| unit \| baseline \| ratio \| target +\| met \|$/);
    expect(lines[1]).toMatch(/^\| -+ \| -+: \| -+ \| -+: \| -+: \| -+ \| -+ \|$/);
    expect(lines[2]).toMatch(/^\| a\.bytes +\| 123,456 \| B +\| +246,912 \| +0\.5× \| <= 100 \| NO +\|$/);
    expect(lines[3]).toMatch(/^\| b\.ms +\| +12\.4 \| ms +\| +\| +\| +\| +\|$/);
    // Every line is as wide as the header: the table reads in a terminal too.
    expect(new Set(lines.map((l) => l.length)).size).toBe(1);
  });

  it('shows a missing baseline and its ratio as dashes', () => {
    const table = markdownTable([metric({ name: 'x', value: 1, unit: 'MB', baseline: null })]);
    expect(table.split('\n')[2]).toMatch(/^\| x +\| +1 \| MB +\| +— \| +— \|/);
  });

  it('shows a missing value as a dash', () => {
    expect(formatNumber(null)).toBe('—');
    expect(formatNumber(Number.NaN)).toBe('—');
    expect(formatNumber(1234.5678, 2)).toBe('1,234.57');
  });
});
