import { escapeControls, printableJson, UserError } from '@streamdrop/cli-kit';
import type { RecoveryTarget } from '../recovery/failures';
import { replay } from '../recovery/replay';

function isoTime(flag: string, raw: string | undefined): Date | undefined {
  if (raw === undefined) return undefined;
  const date = new Date(raw);
  if (!/^\d{4}-\d{2}-\d{2}/.test(raw) || Number.isNaN(date.getTime()))
    throw new UserError(`${flag} must be an ISO time such as 2026-11-21T10:00:00Z, got "${raw}".`);
  return date;
}

/** Re-publishes the upload events of a window of the stream. */
export async function replayCommand(
  targetOf: () => RecoveryTarget,
  flags: { from?: string; to?: string; json: boolean; local: boolean },
): Promise<void> {
  const from = isoTime('--from', flags.from);
  if (!from) throw new UserError('Usage: pnpm streamdrop replay --from <ISO time> [--to <ISO time>]');
  const to = isoTime('--to', flags.to);
  const target = targetOf();
  const counts = await replay(target, {
    from,
    to,
    // kinesalite never answers AT_TIMESTAMP when no record is that new; Kinesis always does.
    ...(flags.local && { atTimestampTimeoutMs: 2_000 }),
    log: (line) => process.stderr.write(`streamdrop ▸ ${escapeControls(line)}\n`),
  });
  process.stdout.write(
    flags.json
      ? `${printableJson(counts)}\n`
      : `${escapeControls(
          `replayed ${counts.from} .. ${counts.to} on ${target.streamName}: ${counts.inWindow} record(s) in the window on ${counts.shards} shard(s), ` +
            `${counts.republished} upload event(s) re-published, ${counts.notUploadEvents} other record(s) left alone`,
        )}\n`,
  );
}
