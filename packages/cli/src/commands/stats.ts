import { existsSync, readFileSync } from 'node:fs';
import { UserError } from '@streamdrop/cli-kit';
import { defaultStateDir, type LocalStats, readLocalConfig } from '@streamdrop/local';

export interface StatsFlags {
  'state-dir'?: string;
  outputs?: string;
  json: boolean;
}

/**
 * The running local stack's numbers, as its runtime last wrote them to stats.json (local.json
 * says where): a file rather than an endpoint, so the CLI finds it the way it finds everything
 * else (through the state folder), no port is opened, and a stopped stack leaves its last numbers.
 */
export function readStats(stateDir: string): { stats: LocalStats; stale: boolean } {
  const local = readLocalConfig(stateDir);
  if (!local.stats) {
    throw new UserError(
      'The running local stack keeps no stats (it was started before `streamdrop stats` existed): restart it with `npm start`.',
    );
  }
  if (!existsSync(local.stats.file))
    throw new UserError(`${local.stats.file} not found: is the local stack still starting?`);
  const stats = JSON.parse(readFileSync(local.stats.file, 'utf8')) as LocalStats;
  const age = Date.now() - Date.parse(stats.updatedAt);
  return { stats, stale: age > 5 * local.stats.intervalMs };
}

export function statsCommand(flags: StatsFlags): number {
  if (flags.outputs !== undefined) {
    throw new UserError(
      'stats reads the local stack. A deployed stack has its CloudWatch dashboard (streamdrop-<stage>) and alarms: see docs/operations.md.',
    );
  }
  const { stats, stale } = readStats(flags['state-dir'] ?? defaultStateDir());
  if (stale)
    process.stderr.write(`streamdrop ▸ stats last written ${stats.updatedAt}: is the stack stuck?\n`);
  process.stdout.write(flags.json ? `${JSON.stringify(stats, null, 2)}\n` : formatStats(stats));
  return 0;
}

const ms = (value: number | undefined) => (value === undefined ? '—' : `${Math.round(value)} ms`);
const pairs = (record: Record<string, number>) =>
  Object.entries(record)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');

/** The stats as a person reads them, with each alarm's state first on its line. */
export function formatStats(s: LocalStats): string {
  const refused = Object.values(s.uploads.refused).reduce((a, b) => a + b, 0);
  const lines = [
    `local stack stats, since ${s.startedAt} (updated ${s.updatedAt})`,
    '',
    `uploads        accepted ${s.uploads.accepted} (${s.uploads.bytesAccepted} bytes), replayed ${s.uploads.replayed}, refused ${refused}${refused ? ` (${pairs(s.uploads.refused)})` : ''}`,
    `records        processed ${s.records.processed}, skipped ${s.records.skipped}, failed permanently ${s.records.failedPermanently}, retried ${s.records.retried}, on-failure destination ${s.records.onFailureDestination}`,
    `latency        upload to processed p50 ${ms(s.latencyMs.p50)}, p90 ${ms(s.latencyMs.p90)}, p99 ${ms(s.latencyMs.p99)}, max ${ms(s.latencyMs.max)} (${s.latencyMs.count} in the last hour)`,
    `iterator age   ${
      Object.keys(s.iteratorAgeMs).length
        ? Object.entries(s.iteratorAgeMs)
            .map(([shard, age]) => `${shard} ${ms(age)}`)
            .join(', ')
        : 'no batch yet'
    }`,
    `api            requests ${s.api.requests}, 4xx ${s.api['4xx']}, 5xx ${s.api['5xx']}`,
    ...Object.entries(s.functions).map(
      ([name, f]) =>
        `${name.padEnd(30)} invocations ${f.invocations}, errors ${f.errors}, throttles ${f.throttles}, duration p50 ${ms(f.durationMs.p50)} p99 ${ms(f.durationMs.p99)}`,
    ),
    ...(Object.keys(s.streamsProxy).length
      ? [
          `streams proxy  ${Object.entries(s.streamsProxy)
            .map(([route, o]) => `${route}: ${pairs(o)}`)
            .join('; ')}`,
        ]
      : []),
    '',
    'alarms',
    ...s.alarms.map(
      (a) =>
        `  ${a.state.padEnd(17)} ${a.name}${a.state === 'ALARM' ? `  since ${a.since}: ${a.reason}` : ''}`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}
