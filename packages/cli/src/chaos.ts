import { writeFileSync } from 'node:fs';
import { type ChaosResult, cleanUp, describeFaults, faultSettingsFrom, runChaos } from '@streamdrop/chaos';
import {
  type Args,
  booleanFlag,
  type CommandSpec,
  command,
  escapeControls,
  integerFlag,
  pathFlag,
  stringFlag,
  UserError,
} from '@streamdrop/cli-kit';
import { DEFAULT_TRANSFORM, envReader } from '@streamdrop/config';
import { faultFlags, faultInput, USER_ERRORS } from './options';
import { cliPackageDir, startEntry } from './paths';
import { failuresByUpload } from './recovery/failures';

const CHAOS: CommandSpec = {
  usage: 'pnpm chaos [options]',
  summary:
    'Starts a local stack of its own (fresh state folder, free ports, `npm start` in a child process\n' +
    'group), drives N uploads through the real API under injected faults, waits for the pipeline to\n' +
    'settle, then reconciles every upload the API acknowledged with 2xx: processed with exactly the\n' +
    "expected content, or in the failures bucket with a reason; after the stack's final lifecycle sweep,\n" +
    'no upload may be left that no acknowledged upload and no event names. Prints and writes the counts;\n' +
    'exits 1 when an upload was lost, duplicated or corrupted, or an orphan is left.',
  flags: {
    uploads: { type: 'string', value: 'N', description: 'uploads to make', default: '200' },
    concurrency: { type: 'string', value: 'N', description: 'uploads in flight at once', default: '8' },
    ...faultFlags(['seed']),
    kill: {
      type: 'boolean',
      description: 'SIGKILL the whole local stack once, at a random moment, and restart it',
    },
    kills: { type: 'string', value: 'N', description: '… N times' },
    seed: {
      type: 'string',
      value: 'S',
      description: 'seed of every random choice (faults, contents, kill moments)',
      default: 'random',
      env: 'STREAMDROP_FAULT_SEED',
    },
    'settle-timeout': {
      type: 'string',
      value: 'S',
      description: 'seconds to wait for the pipeline to settle',
      default: '180',
    },
    shards: { type: 'string', value: 'N', description: 'Kinesis shards', default: '1' },
    'lifecycle-day-seconds': {
      type: 'string',
      value: 'S',
      description:
        "the stack's local lifecycle day: pending uploads expire after 2 of them, and the run waits for " +
        'a sweep past that before it counts orphans',
      default: '15',
    },
    out: {
      type: 'string',
      value: 'FILE',
      description: 'write the full result (counts, injected faults, problems) as JSON',
    },
    'state-dir': {
      type: 'string',
      value: 'DIR',
      description: "keep the stack's state here (default: a temporary folder, removed after a clean run)",
    },
  },
  notes: [
    'Rates are 0-1 or percentages (10%). The STREAMDROP_FAULT_* variables of `npm start` apply too.',
    'The client never retries a 2xx; it retries a 5xx/429 or a dropped connection with a new request',
    '(counted as client retries), as a real client would.',
  ],
};

function summary(r: ChaosResult): string {
  const c = r.counts;
  const i = r.injected;
  const s3Errors = Object.values(i.s3Errors).reduce((a, b) => a + b, 0);
  const pct = (n: number, of: number) => (of > 0 ? ` (${((100 * n) / of).toFixed(1)}%)` : '');
  return [
    '',
    `chaos run, seed ${r.seed}: ${r.ok ? 'nothing acknowledged was lost, nothing left behind' : 'PROBLEMS FOUND'}`,
    `  uploads attempted        ${c.attempted}`,
    `  accepted (2xx)           ${c.accepted}   (client retries ${r.client.clientRetries} on ${JSON.stringify(r.client.retriedOn)}; given up ${r.client.gaveUp}; client errors ${r.client.clientErrors})`,
    `  processed correctly      ${c.processedCorrectly}`,
    `  failed with a reason     ${c.failedWithReason}`,
    `  lost                     ${c.lost}`,
    `  duplicated               ${c.duplicated}`,
    `  corrupted                ${c.corrupted}`,
    `  orphans                  ${c.orphans}   (left under uploads/ after the final lifecycle sweep${r.finalSweepAt ? `, which began ${r.finalSweepAt}` : ': NO SWEEP RAN IN TIME'})`,
    `  injected: S3 errors ${s3Errors} of ${i.s3Requests} requests${pct(s3Errors, i.s3Requests)} ${JSON.stringify(i.s3Errors)}, ` +
      `Kinesis throttles ${i.kinesisThrottles} of ${i.kinesisRequests}${pct(i.kinesisThrottles, i.kinesisRequests)}, ` +
      `processor crashes ${i.processorCrashes} of ${i.processorInvocations} invocations${pct(i.processorCrashes, i.processorInvocations)}, stack SIGKILLs ${i.stackKills}`,
    `  also seen: ${r.info.unacknowledgedProcessed} processed and ${r.info.unacknowledgedUploads} stored upload(s) the client never got a 2xx for; ${r.info.failureObjects} failure object(s); versions from ${r.versionSource}`,
    `  took ${(r.durationsMs.total / 1000).toFixed(1)} s (uploads ${(r.durationsMs.uploads / 1000).toFixed(1)} s, settle ${(r.durationsMs.settle / 1000).toFixed(1)} s, final sweep ${(r.durationsMs.finalSweep / 1000).toFixed(1)} s${r.durationsMs.restarts.length > 0 ? `, restarts ${r.durationsMs.restarts.map((ms) => `${(ms / 1000).toFixed(1)} s`).join(', ')}` : ''})${r.settled ? '' : ' — DID NOT SETTLE'}`,
    '',
  ].join('\n');
}

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

async function main(args: Args): Promise<number> {
  // Every processed object is checked against what the reference transform makes of its upload,
  // so the stack that `pnpm chaos` synthesizes must run that transform.
  const transform = envReader(process.env).optional('STREAMDROP_TRANSFORM');
  if (transform !== undefined && transform !== DEFAULT_TRANSFORM) {
    throw new UserError(
      `pnpm chaos checks every processed object against ${DEFAULT_TRANSFORM}; STREAMDROP_TRANSFORM is "${transform}". Unset it for the chaos run.`,
    );
  }
  const faults = faultSettingsFrom({ ...faultInput(args), seed: stringFlag(args, 'seed') });
  const kills =
    stringFlag(args, 'kills') !== undefined
      ? integerFlag(args, 'kills', 0, { min: 0, max: 20 })
      : booleanFlag(args, 'kill')
        ? 1
        : 0;
  const log = (line: string) => process.stderr.write(`chaos ▸ ${escapeControls(line)}\n`);
  const options = {
    uploads: integerFlag(args, 'uploads', 200, { min: 1, max: 100_000 }),
    concurrency: integerFlag(args, 'concurrency', 8, { min: 1, max: 64 }),
    faults,
    kills,
    settleTimeoutMs: integerFlag(args, 'settle-timeout', 180, { min: 5, max: 3_600 }) * 1000,
    shards: integerFlag(args, 'shards', 1, { min: 1, max: 50 }),
    lifecycleDaySeconds: integerFlag(args, 'lifecycle-day-seconds', 15, { min: 1, max: 86_400 }),
    stateDir: pathFlag(args, 'state-dir'),
    stack: { entry: startEntry(), cwd: cliPackageDir() },
    failures: (target: Parameters<typeof failuresByUpload>[0]) => ({
      failedUploads: () => failuresByUpload(target),
    }),
    log,
  };
  log(
    `${options.uploads} uploads, concurrency ${options.concurrency}, ${kills} kill(s); faults: ${describeFaults(faults, faults.crashFunctions ?? ['the processor'])}`,
  );
  const result = await runChaos(options);
  const commandLine = `pnpm chaos ${process.argv.slice(2).join(' ')}`.trim();
  const out = pathFlag(args, 'out');
  if (out) writeFileSync(out, `${JSON.stringify({ command: commandLine, ...result }, null, 2)}\n`);
  process.stderr.write(summary(result));
  process.stdout.write(
    `${JSON.stringify({ command: commandLine, seed: result.seed, ok: result.ok, counts: result.counts }, null, 2)}\n`,
  );
  if (!result.ok) log(`the stack's state and log are kept in ${result.stateDir}`);
  cleanUp(result, options.stateDir !== undefined);
  return result.ok ? 0 : 1;
}

command(CHAOS, main, process.argv.slice(2), {
  prefix: 'chaos ▸ ',
  userErrors: USER_ERRORS,
  userErrorCode: 2,
  exitOnError: true,
});
