import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ALARMS,
  alarmName,
  FUNCTION_IDS,
  functionAlarmName,
  METRICS,
  metricsNamespace,
} from '@streamdrop/config';
import { evaluateAlarm, readAlarms } from '../../src/alarms/alarms';
import { compileExpression } from '../../src/alarms/expression';
import { parseEmf } from '../../src/metrics/emf';
import { Monitor } from '../../src/metrics/monitor';
import { MetricStore, statistic } from '../../src/metrics/store';
import { defaultStackFile } from '../../src/paths';
import { buildRuntimeModel, createLookup, readInventory } from '../../src/stack/model';
import { interpolate } from '../../src/stack/terraform-json';
import { silentLog } from '../../src/types';

// The stack `pnpm synth` wrote: the alarms evaluated here are the very ones Terraform deploys.
const ids = { userPoolId: 'local_abc', clientId: 'client123', cognitoEndpoint: 'http://127.0.0.1:9229' };
const { tf, inventory } = readInventory(defaultStackFile());
const lookup = createLookup(tf, inventory, ids);
const resolve = (value: string, where: string) => interpolate(value, lookup, where);
const model = buildRuntimeModel(tf, inventory, ids);
const STAGE = 'dev';
const NAMESPACE = metricsNamespace(STAGE);
const processor = model.functions.find((f) => f.name.endsWith('-processor'))?.name ?? '';

const emfLine = (name: string, value: number | number[], dims: Record<string, string>, timestamp: number) =>
  JSON.stringify({
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [
        { Namespace: NAMESPACE, Dimensions: [Object.keys(dims)], Metrics: [{ Name: name, Unit: 'Count' }] },
      ],
    },
    ...dims,
    [name]: value,
  });

describe('EMF lines', () => {
  it('reads each metric with its dimensions, values and timestamp', () => {
    expect(parseEmf(emfLine('RecordsProcessed', [1, 1], { service: 'streamdrop-processor' }, 1000))).toEqual([
      {
        namespace: NAMESPACE,
        name: 'RecordsProcessed',
        unit: 'Count',
        dimensions: { service: 'streamdrop-processor' },
        values: [1, 1],
        timestamp: 1000,
      },
    ]);
  });

  it.each(['plain text', '{"level":"INFO","message":"processed"}', '{"_aws": 1', '[1]'])(
    'leaves %p alone: it is a log line',
    (line) => {
      expect(parseEmf(line)).toBeUndefined();
    },
  );
});

describe('statistics and metric math', () => {
  it.each([
    ['Sum', 10],
    ['Average', 2.5],
    ['Maximum', 4],
    ['Minimum', 1],
    ['SampleCount', 4],
    ['p50', 2],
    ['p99', 4],
  ])('computes %s', (stat, expected) => {
    expect(statistic([1, 2, 3, 4], stat)).toBe(expected);
  });

  it('has no datapoint without values', () => {
    expect(statistic([], 'Sum')).toBeUndefined();
  });

  it('evaluates + - * /, parentheses and FILL, and is missing when an operand is', () => {
    expect(compileExpression('100 * FILL(errors, 0) / requests')({ errors: undefined, requests: 4 })).toBe(0);
    expect(compileExpression('100 * FILL(errors, 0) / requests')({ errors: 1, requests: 4 })).toBe(25);
    expect(compileExpression('100 * errors / requests')({ errors: undefined, requests: 4 })).toBeUndefined();
    expect(compileExpression('FILL(a, 0) + FILL(b, 0)')({ a: undefined, b: undefined })).toBe(0);
    expect(compileExpression('(a - b) * -2')({ a: 1, b: 3 })).toBe(4);
    expect(compileExpression('a / b')({ a: 1, b: 0 })).toBeUndefined();
  });

  it('refuses what it does not know rather than guessing', () => {
    expect(() => compileExpression('ANOMALY_DETECTION_BAND(m1)')).toThrow(/metric math/);
    expect(() => compileExpression('a +')).toThrow(/metric math/);
  });
});

describe('the stack alarms, evaluated locally', () => {
  const alarms = readAlarms(tf, resolve);
  const byName = (name: string) => {
    const found = alarms.find((a) => a.name === name);
    if (!found) throw new Error(`no alarm ${name}`);
    return found;
  };

  it('reads every aws_cloudwatch_metric_alarm of the synthesized stack', () => {
    const expected = [
      ...Object.values(ALARMS).map((s) => alarmName(STAGE, s)),
      ...Object.values(FUNCTION_IDS).flatMap((fn) => [
        functionAlarmName(STAGE, fn, 'errors'),
        functionAlarmName(STAGE, fn, 'throttles'),
      ]),
    ];
    expect(alarms.map((a) => a.name).sort()).toEqual(expected.sort());
  });

  it('fires the failures alarm on one permanent failure, and clears once a minute has passed without one', () => {
    const now = 1_800_000_000_000;
    const store = new MetricStore(3_600_000, () => now);
    const failures = byName(alarmName(STAGE, ALARMS.failures));
    expect(evaluateAlarm(failures, store, now, 'INSUFFICIENT_DATA').state).toBe('OK');

    for (const datum of parseEmf(
      emfLine(METRICS.recordsFailedPermanently, 1, { service: 'streamdrop-processor' }, now - 5_000),
    ) ?? []) {
      store.add(datum);
    }

    expect(evaluateAlarm(failures, store, now, 'OK')).toMatchObject({ state: 'ALARM', value: 1 });
    expect(evaluateAlarm(failures, store, now + 61_000, 'ALARM').state).toBe('OK');
  });

  it('fires the failures alarm on a record written to the on-failure destination, through the S3 filter of the stack', () => {
    const now = 1_800_000_000_000;
    const monitor = new Monitor({
      tf,
      resolve,
      functions: model.functions,
      stateDir: tmpdir(),
      log: silentLog,
      now: () => now,
    });
    const failuresBucket = inventory.buckets.find((b) => b.role === 'failures')?.name ?? '';

    monitor.poller.onFailureRecord(failuresBucket, 'processor/shardId-0_1.json');
    expect(monitor.evaluate().find((a) => a.name.endsWith('-failures'))?.state).toBe('OK');
    monitor.poller.onFailureRecord(failuresBucket, 'aws/lambda/uuid/shardId-0/2026/12/01/x');
    expect(monitor.evaluate().find((a) => a.name.endsWith('-failures'))?.state).toBe('ALARM');
  });

  it('fires the iterator age alarm only when 3 of 5 minutes stay above the threshold', () => {
    let now = 1_800_000_000_000;
    const monitor = new Monitor({
      tf,
      resolve,
      functions: model.functions,
      stateDir: tmpdir(),
      log: silentLog,
      now: () => now,
    });
    const age = () => monitor.evaluate().find((a) => a.name === alarmName(STAGE, ALARMS.iteratorAge))?.state;
    for (let minute = 0; minute < 3; minute++) {
      monitor.poller.batchInvoked(processor, 'shardId-000000000000', now - 400_000);
      expect(age()).toBe(minute < 2 ? 'OK' : 'ALARM');
      now += 60_000;
    }
  });

  it('computes the API 5xx rate by metric math over five minutes', () => {
    const now = 1_800_000_000_000;
    const monitor = new Monitor({
      tf,
      resolve,
      functions: model.functions,
      stateDir: tmpdir(),
      log: silentLog,
      now: () => now,
    });
    const rate = () => monitor.evaluate().find((a) => a.name === alarmName(STAGE, ALARMS.api5xxRate))?.state;
    for (let i = 0; i < 19; i++) monitor.apiResponse(202, 10);
    monitor.apiResponse(500, 10);
    expect(rate()).toBe('OK'); // 5 %: not above 5
    monitor.apiResponse(500, 10);
    expect(rate()).toBe('ALARM');
  });

  it('counts a function error as Lambda would, and says ALARM and OK as it changes', () => {
    let now = 1_800_000_000_000;
    const lines: string[] = [];
    const log = { ...silentLog, info: (m: string) => lines.push(m), warn: (m: string) => lines.push(m) };
    const monitor = new Monitor({
      tf,
      resolve,
      functions: model.functions,
      stateDir: tmpdir(),
      log,
      now: () => now,
    });
    monitor.invoked(processor, {
      ok: false,
      kind: 'error',
      error: { errorType: 'Error', errorMessage: 'x' },
      durationMs: 5,
    });
    monitor.evaluate();
    now += 120_000;
    monitor.evaluate();
    const name = functionAlarmName(STAGE, 'processor', 'errors');
    expect(lines.filter((l) => l.includes(name)).map((l) => l.split(':')[0])).toEqual([
      `ALARM ${name}`,
      `OK ${name}`,
    ]);
  });
});

describe('stats.json', () => {
  it('sums the EMF counts, keeps latency percentiles and iterator age per shard, and lists the alarms', () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamdrop-stats-'));
    try {
      const now = 1_800_000_000_000;
      const monitor = new Monitor({
        tf,
        resolve,
        functions: model.functions,
        stateDir: dir,
        log: silentLog,
        now: () => now,
      });
      const svc = (id: string) => ({ service: `streamdrop-${id}` });
      for (const line of [
        emfLine(METRICS.uploadsAccepted, 1, svc('upload'), now),
        emfLine(METRICS.uploadsAccepted, 1, svc('upload'), now),
        emfLine(METRICS.uploadsRefused, 1, { ...svc('upload'), reason: 'unavailable' }, now),
        emfLine(METRICS.recordsProcessed, [1, 1], svc('processor'), now),
        emfLine(METRICS.processingLatency, [100, 200, 300], svc('processor'), now),
        emfLine(METRICS.recordsFailedPermanently, 1, svc('processor'), now),
        emfLine(METRICS.recordsRetried, 3, svc('processor'), now),
      ]) {
        expect(monitor.functionLine('any', line)).toBe(true);
      }
      expect(monitor.functionLine('any', '{"level":"INFO","message":"hello"}')).toBe(false);
      monitor.poller.batchInvoked(processor, 'shardId-000000000001', now - 1_500);

      monitor.tick();

      const stats = JSON.parse(readFileSync(monitor.statsFile, 'utf8'));
      expect(stats.uploads).toEqual({
        accepted: 2,
        bytesAccepted: 0,
        replayed: 0,
        refused: { unavailable: 1 },
      });
      expect(stats.records).toEqual({
        processed: 2,
        skipped: 0,
        failedPermanently: 1,
        retried: 3,
        onFailureDestination: 0,
      });
      expect(stats.latencyMs).toEqual({ count: 3, p50: 200, p90: 300, p99: 300, max: 300 });
      expect(stats.iteratorAgeMs).toEqual({ 'shardId-000000000001': 1_500 });
      expect(stats.alarms.find((a: { name: string }) => a.name.endsWith('-failures'))).toMatchObject({
        state: 'ALARM',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
