import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type ChaosResult, cleanUp, runChaos } from '../chaos/run';
import { LocalError } from '../errors';
import { describeFaults, faultSettingsFrom } from '../faults/settings';

const HELP = `Usage: pnpm chaos [options]

Starts a local stack of its own (fresh state folder, free ports, \`npm start\` in a child process
group), drives N uploads through the real API under injected faults, waits for the pipeline to
settle, then reconciles every upload the API acknowledged with 2xx: processed with exactly the
expected content, or in the failures bucket with a reason. Prints and writes the counts; exits 1
when an upload was lost, duplicated or corrupted.

Options:
  --uploads N                uploads to make (default 200)
  --concurrency N            uploads in flight at once (default 8)
  --s3-error-rate R          share of the functions' S3 requests answered 503 SlowDown / 500 InternalError
  --s3-latency-ms N|MIN-MAX  latency added to each of their S3 requests
  --kinesis-throttle-rate R  share of their PutRecord(s) answered ProvisionedThroughputExceededException
  --crash-rate R             share of processor invocations whose execution environment dies mid-batch
  --crash-functions A,B      functions that may crash (default: the processor)
  --kill                     SIGKILL the whole local stack once, at a random moment, and restart it
  --kills N                  … N times
  --seed S                   seed of every random choice (faults, contents, kill moments; default: random)
  --settle-timeout S         seconds to wait for the pipeline to settle (default 180)
  --shards N                 Kinesis shards (default 1)
  --out FILE                 write the full result (counts, injected faults, problems) as JSON
  --state-dir DIR            keep the stack's state here (default: a temporary folder, removed after a clean run)
  -h, --help                 show this help

Rates are 0-1 or percentages (10%). The STREAMDROP_FAULT_* variables of \`npm start\` apply too.
The client never retries a 2xx; it retries a 5xx/429 or a dropped connection with a new request
(counted as client retries), as a real client would.
`;

function int(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new LocalError(`${name} must be an integer from ${min} to ${max}, got "${raw}".`);
  return n;
}

function summary(r: ChaosResult): string {
  const c = r.counts;
  const i = r.injected;
  const s3Errors = Object.values(i.s3Errors).reduce((a, b) => a + b, 0);
  const pct = (n: number, of: number) => (of > 0 ? ` (${((100 * n) / of).toFixed(1)}%)` : '');
  return [
    '',
    `chaos run, seed ${r.seed}: ${r.ok ? 'nothing acknowledged was lost' : 'PROBLEMS FOUND'}`,
    `  uploads attempted        ${c.attempted}`,
    `  accepted (2xx)           ${c.accepted}   (client retries ${r.client.clientRetries} on ${JSON.stringify(r.client.retriedOn)}; given up ${r.client.gaveUp}; client errors ${r.client.clientErrors})`,
    `  processed correctly      ${c.processedCorrectly}`,
    `  failed with a reason     ${c.failedWithReason}`,
    `  lost                     ${c.lost}`,
    `  duplicated               ${c.duplicated}`,
    `  corrupted                ${c.corrupted}`,
    `  injected: S3 errors ${s3Errors} of ${i.s3Requests} requests${pct(s3Errors, i.s3Requests)} ${JSON.stringify(i.s3Errors)}, ` +
      `Kinesis throttles ${i.kinesisThrottles} of ${i.kinesisRequests}${pct(i.kinesisThrottles, i.kinesisRequests)}, ` +
      `processor crashes ${i.processorCrashes} of ${i.processorInvocations} invocations${pct(i.processorCrashes, i.processorInvocations)}, stack SIGKILLs ${i.stackKills}`,
    `  also seen: ${r.info.unacknowledgedProcessed} processed and ${r.info.unacknowledgedUploads} stored upload(s) the client never got a 2xx for; ${r.info.failureObjects} failure object(s); versions from ${r.versionSource}`,
    `  took ${(r.durationsMs.total / 1000).toFixed(1)} s (uploads ${(r.durationsMs.uploads / 1000).toFixed(1)} s, settle ${(r.durationsMs.settle / 1000).toFixed(1)} s${r.durationsMs.restarts.length > 0 ? `, restarts ${r.durationsMs.restarts.map((ms) => `${(ms / 1000).toFixed(1)} s`).join(', ')}` : ''})${r.settled ? '' : ' — DID NOT SETTLE'}`,
    '',
  ].join('\n');
}

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      uploads: { type: 'string' },
      concurrency: { type: 'string' },
      's3-error-rate': { type: 'string' },
      's3-latency-ms': { type: 'string' },
      'kinesis-throttle-rate': { type: 'string' },
      'crash-rate': { type: 'string' },
      'crash-functions': { type: 'string' },
      kill: { type: 'boolean' },
      kills: { type: 'string' },
      seed: { type: 'string' },
      'settle-timeout': { type: 'string' },
      shards: { type: 'string' },
      out: { type: 'string' },
      'state-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const faults = faultSettingsFrom({
    s3ErrorRate: values['s3-error-rate'],
    s3LatencyMs: values['s3-latency-ms'],
    kinesisThrottleRate: values['kinesis-throttle-rate'],
    crashRate: values['crash-rate'],
    crashFunctions: values['crash-functions'],
    seed: values.seed,
  });
  const kills = values.kills !== undefined ? int('--kills', values.kills, 0, 0, 20) : values.kill ? 1 : 0;
  const options = {
    uploads: int('--uploads', values.uploads, 200, 1, 100_000),
    concurrency: int('--concurrency', values.concurrency, 8, 1, 64),
    faults,
    kills,
    settleTimeoutMs: int('--settle-timeout', values['settle-timeout'], 180, 5, 3_600) * 1000,
    shards: int('--shards', values.shards, 1, 1, 50),
    stateDir: values['state-dir'],
    log: (line: string) => process.stderr.write(`chaos ▸ ${line}\n`),
  };
  options.log(
    `${options.uploads} uploads, concurrency ${options.concurrency}, ${kills} kill(s); faults: ${describeFaults(faults, faults.crashFunctions ?? ['the processor'])}`,
  );
  const result = await runChaos(options);
  const command = `pnpm chaos ${process.argv.slice(2).join(' ')}`.trim();
  const full = { command, ...result };
  if (values.out) writeFileSync(values.out, `${JSON.stringify(full, null, 2)}\n`);
  process.stderr.write(summary(result));
  process.stdout.write(
    `${JSON.stringify({ command, seed: result.seed, ok: result.ok, counts: result.counts }, null, 2)}\n`,
  );
  if (!result.ok) {
    process.stderr.write(`chaos ▸ the stack's state and log are kept in ${result.stateDir}\n`);
    process.exitCode = 1;
  }
  cleanUp(result, values['state-dir'] !== undefined);
}

main().catch((error: unknown) => {
  const known =
    error instanceof LocalError ||
    (error instanceof Error && String((error as { code?: unknown }).code ?? '').startsWith('ERR_PARSE_ARGS'));
  process.stderr.write(
    `chaos ▸ error: ${error instanceof Error ? (known ? error.message : (error.stack ?? error.message)) : String(error)}\n`,
  );
  process.exit(known ? 2 : 1);
});
