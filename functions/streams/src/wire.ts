/** Seconds since the epoch, milliseconds as the fraction: how Kinesis's JSON writes a timestamp. */
export function epochSeconds(date: Date): number {
  return date.getTime() / 1000;
}

/**
 * An SDK output as Kinesis's JSON carries it: every Date (the SDK parses timestamps) back to
 * epoch seconds, everything else as is. The result is unknown until a schema has checked it.
 */
export function toWire(value: unknown): unknown {
  if (value instanceof Date) return epochSeconds(value);
  if (Array.isArray(value)) return value.map(toWire);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, toWire(item)]));
  }
  return value;
}
