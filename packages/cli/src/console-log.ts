import { escapeControls } from '@streamdrop/cli-kit';
import type { Log } from '@streamdrop/local';

/**
 * Progress lines for people: `streamdrop ▸ message` on stderr, so stdout stays for data. Messages
 * quote keys and emulator output: control characters in them are escaped.
 */
export function consoleLog(prefix = 'streamdrop'): Log {
  const write = (stream: NodeJS.WriteStream, message: string) =>
    stream.write(`${prefix} ▸ ${escapeControls(message, { keepLines: true })}\n`);
  return {
    info: (m) => write(process.stderr, m),
    warn: (m) => write(process.stderr, `warning: ${m}`),
    error: (m) => write(process.stderr, `error: ${m}`),
  };
}
