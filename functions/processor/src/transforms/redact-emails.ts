import { TRANSFORM_NAMES } from '@streamdrop/config';
import { textTransform } from './transform';

/** What an address becomes. */
export const EMAIL_MASK = '[email redacted]';

/**
 * The longest run of address characters that can be an address: 254 characters, the longest
 * address SMTP carries (RFC 5321). A longer run is left as it is, and is never held back whole.
 */
export const MAX_ADDRESS_RUN = 254;

// The characters an address is made of (the common ASCII subset of RFC 5321). Any other
// character ends a run, so an address never spans one: that is what makes streaming easy.
const ADDRESS_CHAR = /[A-Za-z0-9._%+@-]/;
const RUN = /[A-Za-z0-9._%+@-]+/g;
// A whole run is an address, except for dots that end a sentence ("write to a@b.example.").
const ADDRESS =
  /^[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}(?=\.*$)/;

/** Masks every address in `text`, which must not end in the middle of a run. */
export function redactComplete(text: string): string {
  return text.replace(RUN, (run) => (run.length <= MAX_ADDRESS_RUN ? run.replace(ADDRESS, EMAIL_MASK) : run));
}

/** Length of the run of address characters that starts `text`. */
function leadingRunLength(text: string): number {
  let end = 0;
  while (end < text.length && ADDRESS_CHAR.test(text.charAt(end))) end += 1;
  return end;
}

/** Length of the run of address characters that ends `text` (all of it, when it is one run). */
function trailingRunLength(text: string): number {
  let start = text.length;
  while (start > 0 && ADDRESS_CHAR.test(text.charAt(start - 1))) start -= 1;
  return text.length - start;
}

/**
 * Masks addresses in text that arrives in pieces cut anywhere. An address may be split across
 * pieces, so the run of address characters at the end of a piece is held back until a later
 * piece ends it; everything before it is written at once. A run longer than any address is let
 * through as it comes, so at most MAX_ADDRESS_RUN characters are ever held. The output does not
 * depend on where the pieces were cut.
 */
export class EmailRedactor {
  /** The run at the end of what was pushed, not yet written. */
  private pending = '';
  /** The current run is already longer than any address: the rest of it goes straight out. */
  private overlong = false;

  push(text: string): string {
    const tail = trailingRunLength(text);
    if (tail === text.length) return this.extend(text);
    const head = text.slice(0, text.length - tail);
    let out: string;
    if (this.overlong) {
      // The head starts with the end of the overlong run: that goes out as it is.
      const lead = leadingRunLength(head);
      out = head.slice(0, lead) + redactComplete(head.slice(lead));
    } else {
      out = redactComplete(this.pending + head);
    }
    this.pending = '';
    this.overlong = false;
    return out + this.extend(text.slice(text.length - tail));
  }

  end(): string {
    const out = this.overlong ? '' : redactComplete(this.pending);
    this.pending = '';
    this.overlong = false;
    return out;
  }

  /** Adds `run` (address characters only) to the current run. */
  private extend(run: string): string {
    if (this.overlong) return run;
    this.pending += run;
    if (this.pending.length <= MAX_ADDRESS_RUN) return '';
    const out = this.pending;
    this.pending = '';
    this.overlong = true;
    return out;
  }
}

/**
 * The second worked example (docs/extending.md): masks e-mail addresses in UTF-8 text, copies
 * everything else byte for byte.
 */
export const redactEmails = textTransform(TRANSFORM_NAMES.redactEmails, () => new EmailRedactor());
