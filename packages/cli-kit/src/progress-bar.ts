/** Where a bar draws: a stream that may be a terminal (process.stderr). */
export interface BarStream {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(text: string): unknown;
}

export interface ProgressBar {
  /** `bytes` more are done. */
  advance(bytes: number): void;
  /** Ends the bar with a last line (`detail` after it). */
  done(detail?: string): void;
}

const units = (bytes: number) =>
  bytes >= 1024 ** 3
    ? `${(bytes / 1024 ** 3).toFixed(2)} GiB`
    : bytes >= 1024 ** 2
      ? `${(bytes / 1024 ** 2).toFixed(1)} MiB`
      : `${bytes} B`;

/**
 * A one-line progress bar on a terminal — `label [#####-----] 45% 460.0 MiB of 1.00 GiB 93.2 MiB/s`
 * — redrawn at most ten times a second. On anything but a terminal it draws nothing until
 * `done`, which prints one plain line: logs and pipes get no control characters.
 */
export function progressBar(
  label: string,
  total: number,
  stream: BarStream = process.stderr,
  now: () => number = () => performance.now(),
): ProgressBar {
  const started = now();
  let sent = 0;
  let drawn = -Infinity;
  const rate = () => {
    const seconds = (now() - started) / 1000;
    return seconds > 0 ? `${units(sent / seconds)}/s` : '';
  };
  const draw = () => {
    const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - label.length - 50));
    const share = total === 0 ? 1 : Math.min(1, sent / total);
    const filled = Math.round(share * width);
    stream.write(
      `\r${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${Math.floor(share * 100)}% ` +
        `${units(sent)} of ${units(total)} ${rate()}\u001b[K`,
    );
  };
  return {
    advance(bytes) {
      sent += bytes;
      if (stream.isTTY && now() - drawn >= 100) {
        drawn = now();
        draw();
      }
    },
    done(detail) {
      if (stream.isTTY) {
        draw();
        stream.write('\n');
      }
      const seconds = ((now() - started) / 1000).toFixed(1);
      stream.write(`${label}: ${units(sent)} in ${seconds} s${detail ? ` (${detail})` : ''}\n`);
    },
  };
}
