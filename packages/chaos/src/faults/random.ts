import { createHash, randomInt } from 'node:crypto';

/** A source of numbers in [0, 1), like Math.random, but repeatable from its seed. */
export type Random = () => number;

/**
 * sfc32 seeded from sha256(`seed:label`): each fault (S3 errors, latency, Kinesis throttling,
 * crashes) draws from its own stream, so turning one on does not shift the decisions of another.
 */
export function seededRandom(seed: string, label: string): Random {
  const digest = createHash('sha256').update(`${seed}:${label}`).digest();
  let a = digest.readUInt32LE(0);
  let b = digest.readUInt32LE(4);
  let c = digest.readUInt32LE(8);
  let d = digest.readUInt32LE(12);
  const next: Random = () => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4_294_967_296;
  };
  // Warm-up, as sfc32's authors recommend, so that similar seeds diverge at once.
  for (let i = 0; i < 12; i += 1) next();
  return next;
}

/** A fresh seed for a run that did not ask for one (printed, so the run can be repeated). */
export function newSeed(): string {
  return String(randomInt(1, 2 ** 31 - 1));
}
