/**
 * What `pnpm streamdrop` prints from stored data never reaches a terminal raw: a forged failure
 * record full of escape sequences (ESC, a C1 CSI, OSC … BEL, a bidi override) prints escaped in
 * `failures list`, `failures show` and `failures redrive` (text and --json), and so does an
 * object's content in `get` and `upload --wait` on a terminal — while into a pipe `get` keeps the
 * bytes exactly.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { PROCESSOR_FAILURES_PREFIX } from '@streamdrop/events';
import { defaultStackFile, localS3Client } from '@streamdrop/local';
import { eventually, startTestStack, type TestStack } from '@streamdrop/local/testing';
import { cliPackageDir } from '../../src/paths';

jest.setTimeout(90_000);

/** Every character a terminal would act on, as a hostile record could carry them. */
const HOSTILE = '\u001b[2J\u001b[H\u001b]0;pwned\u0007\u009b31m\u0085\u202e\r\b';
/** Raw terminal-acting characters (a line feed is fine; \r only as the pty's line ending). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point.
const RAW = /[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]|\r(?!\n)/;

let t: TestStack;
let s3: S3Client;
let failures: string;

beforeAll(async () => {
  t = await startTestStack({ stackFile: defaultStackFile() });
  s3 = localS3Client(t.stack.config.s3.endpoint, t.stack.config.region);
  failures = t.stack.config.s3.buckets.failures ?? '';
});
afterAll(async () => {
  s3?.destroy();
  await t?.stack.stop();
});

function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(cliPackageDir(), 'src/streamdrop.ts'), ...args, '--state-dir', t.stateDir],
      { cwd: cliPackageDir(), env: { ...process.env, ...env } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** The same command on a terminal (a pseudo-terminal from util-linux `script`); stdout and stderr merged. */
function cliOnTerminal(args: string, env: NodeJS.ProcessEnv) {
  const command = `${process.execPath} --import tsx ${join(cliPackageDir(), 'src/streamdrop.ts')} ${args} --state-dir ${t.stateDir}`;
  return new Promise<string>((resolve, reject) => {
    execFile(
      'script',
      ['-qec', command, '/dev/null'],
      { cwd: cliPackageDir(), env: { ...process.env, ...env } },
      (error, stdout) => (error ? reject(new Error(`${error.message}\n${stdout}`)) : resolve(stdout)),
    );
  });
}

async function forgeFailure(): Promise<string> {
  const id = `${PROCESSOR_FAILURES_PREFIX}forged-\u202eevil-${Date.now()}.json`;
  const document = {
    version: 1,
    source: 'processor',
    reason: `reason ${HOSTILE} end`,
    errorName: `Name${HOSTILE}`,
    failedAt: new Date().toISOString(),
    functionName: 'streamdrop-dev-processor',
    awsRequestId: 'request',
    record: {
      eventSourceARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/streamdrop-dev-uploads',
      eventID: 'shardId-000000000000:4242',
      partitionKey: `pk${HOSTILE}`,
      sequenceNumber: '4242',
      approximateArrivalTimestamp: 1,
      data: Buffer.from(JSON.stringify({ not: `an upload ${HOSTILE}` })).toString('base64'),
    },
  };
  await s3.send(new PutObjectCommand({ Bucket: failures, Key: id, Body: JSON.stringify(document) }));
  return id;
}

describe('operator output of stored data', () => {
  it('prints a forged failure record escaped in failures list, show and redrive', async () => {
    const id = await forgeFailure();
    const outputs: Record<string, string> = {};

    const list = await cli(['failures', 'list']);
    expect(list.code).toBe(0);
    outputs.list = list.stdout + list.stderr;
    expect(list.stdout).toContain(
      'reason \\x1b[2J\\x1b[H\\x1b]0;pwned\\x07\\x9b31m\\x85\\u202e\\x0d\\x08 end',
    );
    expect(list.stdout).toContain('forged-\\u202eevil-');

    const show = await cli(['failures', 'show', 'forged-']);
    expect(show.code).toBe(0);
    outputs.show = show.stdout + show.stderr;
    const shown = JSON.parse(show.stdout) as {
      id: string;
      reason: string;
      records: Array<{ partitionKey: string }>;
    };
    // Still JSON of exactly what is stored.
    expect(shown.id).toBe(id);
    expect(shown.reason).toBe(`reason ${HOSTILE} end`);
    expect(shown.records[0]?.partitionKey).toBe(`pk${HOSTILE}`);

    const redrive = await cli(['failures', 'redrive', 'forged-']);
    expect(redrive.code).toBe(1); // refused: not an upload event
    outputs.redrive = redrive.stdout + redrive.stderr;
    expect(redrive.stdout).toMatch(/^refused +processor\/forged-\\u202eevil-/m);

    const redriveJson = await cli(['failures', 'redrive', 'forged-', '--json']);
    outputs.redriveJson = redriveJson.stdout + redriveJson.stderr;
    expect(JSON.parse(redriveJson.stdout)).toMatchObject({
      refused: 1,
      outcomes: [{ id, status: 'refused' }],
    });

    // An error that quotes the stored id is escaped too.
    const missing = await cli(['failures', 'show', '\u202e']);
    outputs.missing = missing.stdout + missing.stderr;

    for (const [command, text] of Object.entries(outputs))
      expect({ command, raw: RAW.test(text) }).toEqual({ command, raw: false });
  });

  it('writes an object’s bytes unchanged into a pipe, and escaped on a terminal (get, upload --wait)', async () => {
    const content = `colour ${HOSTILE} text`;
    const onTerminal = await cliOnTerminal('upload --name hostile.txt --content "$CONTENT" --wait', {
      CONTENT: content,
    });
    expect(RAW.test(onTerminal)).toBe(false);
    expect(onTerminal).toContain(
      'COLOUR \\x1b[2J\\x1b[H\\x1b]0;PWNED\\x07\\x9b31M\\x85\\u202e\\x0d\\x08 TEXT',
    );
    const key = /"file_key":"([^"]+)"/.exec(onTerminal)?.[1] ?? '';
    const processed = key.replace(/^uploads\//, 'processed/');
    expect(processed).toMatch(/^processed\/.+\/hostile\.txt$/);

    const piped = await eventually(async () => {
      const got = await cli(['get', processed]);
      return got.code === 0 ? got.stdout : undefined;
    });
    expect(piped).toBe(content.toUpperCase());

    const got = await cliOnTerminal(`get ${processed}`, {});
    expect(RAW.test(got)).toBe(false);
    expect(got).toContain('COLOUR \\x1b[2J');
  });
});
