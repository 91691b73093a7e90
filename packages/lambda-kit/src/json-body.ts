import { ValidationError } from '@streamdrop/events';
import { BadRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from './errors';

/** The parts of an HTTP API request that carry its body. */
export interface JsonRequest {
  /** The Content-Type header (payload v2 lower-cases header names). */
  contentType: string | undefined;
  body: string | undefined;
  isBase64Encoded: boolean;
}

export interface JsonBodyOptions {
  /** What the caller should send, for the 400 when there is no body: `a JSON object with ...`. */
  readonly expected: string;
  /** A raw body of more than `maxBytes` is refused with 413 and `message`, before it is parsed. */
  readonly limit?: { readonly maxBytes: number; readonly message: string };
}

/**
 * Throws UnsupportedMediaTypeError unless the header is absent, JSON (`application/json` or
 * `application/*+json`) and UTF-8 at most.
 */
export function assertJsonContentType(header: string | undefined): void {
  if (header === undefined || header.trim() === '') return;
  const [mediaType = '', ...parameters] = header.split(';').map((part) => part.trim().toLowerCase());
  const json = mediaType === 'application/json' || /^application\/[a-z0-9!#$&^_.+-]+\+json$/.test(mediaType);
  const utf8 = parameters.every((p) => /^charset\s*=\s*("utf-8"|utf-8)$/.test(p));
  if (!json || !utf8) throw new UnsupportedMediaTypeError();
}

/**
 * The request's JSON body checked by `parse` (a schema parser from @streamdrop/events). Every
 * refusal is an HttpError with a message the caller can act on: 415, 413, or 400 (no body,
 * not UTF-8 JSON, or a ValidationError from `parse`).
 */
export function parseJsonBody<T>(
  request: JsonRequest,
  parse: (value: unknown) => T,
  { expected, limit }: JsonBodyOptions,
): T {
  assertJsonContentType(request.contentType);
  const raw = Buffer.from(request.body ?? '', request.isBase64Encoded ? 'base64' : 'utf8');
  if (limit !== undefined && raw.length > limit.maxBytes) throw new PayloadTooLargeError(limit.message);
  if (raw.length === 0) throw new BadRequestError(`body is required: ${expected}`);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw));
  } catch {
    throw new BadRequestError('body is not valid JSON');
  }
  try {
    return parse(json);
  } catch (error) {
    if (error instanceof ValidationError) throw new BadRequestError(error.message, { cause: error });
    throw error;
  }
}
