/**
 * The same signals locally as on AWS: a good upload and a poison record on the real local stack
 * (synthesized stack, production bundles, emulators) move the counts of `streamdrop stats --json`,
 * and the stack's own failures alarm, read out of cdk.tf.json, fires. Every function log line is
 * JSON, and the upload's request id follows it from the upload function to the processor.
 */

import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { ALARMS, alarmName } from '@streamdrop/config';
import { defaultStackFile, type LocalStats, localKinesisClient } from '@streamdrop/local';
import { eventually, putRecords, signIn, startTestStack, type TestStack } from '@streamdrop/local/testing';
import { cliPackageDir } from '../../src/paths';

jest.setTimeout(90_000);

let t: TestStack;
let kinesis: KinesisClient;
const runtimeLines: string[] = [];
const functionLines: Array<{ fn: string; line: string }> = [];

beforeAll(async () => {
  const keep = (line: string) => runtimeLines.push(line);
  t = await startTestStack({
    stackFile: defaultStackFile(),
    log: { info: keep, warn: keep, error: keep },
    onFunctionLog: (fn, line) => functionLines.push({ fn, line }),
  });
  kinesis = localKinesisClient(t.stack.config.kinesis.endpoint, t.stack.config.region);
});
afterAll(async () => {
  kinesis?.destroy();
  await t?.stack.stop();
});

async function stats(): Promise<LocalStats> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      '--import',
      'tsx',
      join(cliPackageDir(), 'src/streamdrop.ts'),
      'stats',
      '--json',
      '--state-dir',
      t.stateDir,
    ],
    { env: { ...process.env, NO_COLOR: '1' } },
  );
  return JSON.parse(stdout) as LocalStats;
}

// The test stack runs the default stage's synthesized stack.
const failuresAlarm = alarmName('dev', ALARMS.failures);

describe('streamdrop stats on the local stack', () => {
  it('starts with nothing counted and every alarm of the stack listed, none in ALARM', async () => {
    const before = await stats();
    expect(before.uploads.accepted).toBe(0);
    expect(before.records.processed).toBe(0);
    expect(before.alarms.map((a) => a.name)).toContain(failuresAlarm);
    expect(before.alarms.filter((a) => a.state === 'ALARM')).toEqual([]);
  });

  it('counts a good upload and a poison record, and the failures alarm fires', async () => {
    const tokens = await signIn(t.stack);
    const response = await fetch(`${t.stack.config.apiUrl}/uploads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.id}`, 'content-type': 'application/json' },
      body: JSON.stringify({ filename: 'demo.txt', content: 'hello kinesis' }),
    });
    expect(response.status).toBe(202);
    const { uploadId, requestId } = (await response.json()) as { uploadId: string; requestId: string };
    await putRecords(kinesis, t.stack.config.kinesis.streamName, [
      { data: new TextEncoder().encode('not an upload event'), partitionKey: 'poison' },
    ]);

    const after = await eventually(async () => {
      const s = await stats();
      return s.records.processed >= 1 && s.records.failedPermanently >= 1 ? s : undefined;
    }, 30_000);

    expect(after.uploads).toMatchObject({ accepted: 1, bytesAccepted: 13, refused: {} });
    expect(after.records).toMatchObject({
      processed: 1,
      failedPermanently: 1,
      retried: 0,
      onFailureDestination: 0,
    });
    expect(after.latencyMs.count).toBe(1);
    expect(after.latencyMs.p50).toBeGreaterThanOrEqual(0);
    expect(Object.keys(after.iteratorAgeMs)).toEqual(['shardId-000000000000']);
    expect(after.api.requests).toBeGreaterThanOrEqual(1);
    const upload = Object.entries(after.functions).find(([name]) => name.endsWith('-upload'))?.[1];
    expect(upload).toMatchObject({ invocations: 1, errors: 0, throttles: 0 });

    const fired = await eventually(async () => {
      const s = await stats();
      return s.alarms.find((a) => a.name === failuresAlarm && a.state === 'ALARM');
    }, 10_000);
    expect(fired.reason).toMatch(/FILL\(failed, 0\) \+ FILL\(onfailure, 0\)/);
    // The stack's own output says so, once.
    expect(runtimeLines.filter((line) => line.startsWith(`ALARM ${failuresAlarm}`))).toHaveLength(1);
    // And nothing else is wrong.
    const now = await stats();
    expect(now.alarms.filter((a) => a.state === 'ALARM' && a.name !== failuresAlarm)).toEqual([]);

    // Every function line is JSON (the EMF lines went to the metrics), and the upload's request id
    // is on the upload function's lines and on the processor's line for the same upload.
    expect(functionLines.length).toBeGreaterThan(0);
    const parsed = functionLines.map(({ fn, line }) => ({
      fn,
      json: JSON.parse(line) as Record<string, unknown>,
    }));
    for (const { json } of parsed) expect(json._aws).toBeUndefined();
    const ofUpload = parsed.filter(({ json }) => json.uploadId === uploadId);
    expect(
      ofUpload
        .map(({ fn }) => fn.replace(/^streamdrop-[a-z0-9-]+?-(upload|processor|streams)$/, '$1'))
        .sort(),
    ).toEqual(['processor', 'upload']);
    for (const { json } of ofUpload) expect(json.requestId).toBe(requestId);
  });

  it('prints the alarm states for a person, ALARM first on its line', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', join(cliPackageDir(), 'src/streamdrop.ts'), 'stats', '--state-dir', t.stateDir],
      { env: { ...process.env, NO_COLOR: '1' } },
    );
    expect(stdout).toMatch(new RegExp(`^  ALARM +${failuresAlarm}  since `, 'm'));
    expect(stdout).toMatch(/^records +processed 1, skipped 0, failed permanently 1/m);
  });
});
