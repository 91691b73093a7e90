import { escapeControls, printableJson, UserError } from '@streamdrop/cli-kit';
import {
  describeFailure,
  listFailureIds,
  type RecoveryTarget,
  readFailure,
  resolveFailureId,
} from '../recovery/failures';
import { type RedriveOutcome, redrive } from '../recovery/redrive';

/** Lists the failures with their reason (and the uploads they hold). */
export async function failuresList(target: RecoveryTarget): Promise<void> {
  const ids = await listFailureIds(target);
  for (const { id, lastModified } of ids) {
    let detail: string;
    try {
      const failure = await readFailure(target, id);
      const uploads = failure.records.flatMap((r) => (r.event ? [r.event.uploadId] : []));
      detail = `${failure.reason}${uploads.length > 0 ? `  (upload ${uploads.join(', ')})` : ''}`;
    } catch (error) {
      detail = `(unreadable: ${(error as Error).message})`;
    }
    // Ids, reasons and upload ids are stored data: whatever they hold reaches no terminal raw.
    process.stdout.write(
      `${lastModified?.toISOString() ?? ''}  ${escapeControls(id)}  ${escapeControls(detail)}\n`,
    );
  }
  process.stderr.write(
    `streamdrop ▸ ${ids.length} failure record${ids.length === 1 ? '' : 's'} in ${escapeControls(target.failuresBucket)}\n`,
  );
}

/** Prints one failure, its records decoded. */
export async function failuresShow(target: RecoveryTarget, wanted: string | undefined): Promise<void> {
  if (!wanted) throw new UserError('Usage: pnpm streamdrop failures show <id> (an id from `failures list`)');
  const id = resolveFailureId(
    (await listFailureIds(target)).map((f) => f.id),
    wanted,
  );
  process.stdout.write(`${printableJson(describeFailure(await readFailure(target, id)))}\n`);
}

/** Puts failed records back on the stream, then deletes each failure; exit code 1 when one failed or was refused. */
export async function failuresRedrive(
  target: RecoveryTarget,
  wanted: string[],
  flags: { all: boolean; force: boolean; json: boolean },
): Promise<number> {
  if (flags.all === wanted.length > 0)
    throw new UserError('Usage: pnpm streamdrop failures redrive <id>... | --all  [--force]');
  const all = (await listFailureIds(target)).map((f) => f.id);
  const ids = flags.all ? all : wanted.map((w) => resolveFailureId(all, w));
  const print = (o: RedriveOutcome) => {
    if (flags.json) return;
    const where = o.published
      .map(
        (p) => `${p.shardId ?? '?'}/${p.sequenceNumber ?? '?'}${p.uploadId ? ` (upload ${p.uploadId})` : ''}`,
      )
      .join(', ');
    process.stdout.write(
      `${escapeControls(
        o.status === 'redriven'
          ? `redriven  ${o.id}  -> ${where}`
          : `${o.status.padEnd(8)}  ${o.id}  ${o.reason ?? ''}`,
      )}\n`,
    );
  };
  const outcomes = await redrive(target, ids, { force: flags.force, onOutcome: print });
  const count = (status: RedriveOutcome['status']) => outcomes.filter((o) => o.status === status).length;
  const summary = {
    redriven: count('redriven'),
    refused: count('refused'),
    errors: count('error'),
    records: outcomes.reduce((n, o) => n + (o.status === 'redriven' ? o.published.length : 0), 0),
  };
  if (flags.json) process.stdout.write(`${printableJson({ ...summary, outcomes })}\n`);
  process.stderr.write(
    `streamdrop ▸ redrive: ${summary.redriven} failure(s) back on ${escapeControls(target.streamName)} (${summary.records} record(s)), ${summary.refused} refused, ${summary.errors} error(s)\n`,
  );
  return summary.errors > 0 || (!flags.all && summary.refused > 0) ? 1 : 0;
}
