import { ValidationError } from '@streamdrop/events';
import { BadRequestError, UnsupportedMediaTypeError } from './errors';
import type { StreamsRequest } from './streams-request';

function assertJsonContentType(header: string | undefined): void {
  if (header === undefined || header.trim() === '') return;
  const [mediaType = '', ...parameters] = header.split(';').map((part) => part.trim().toLowerCase());
  const json = mediaType === 'application/json' || /^application\/[a-z0-9!#$&^_.+-]+\+json$/.test(mediaType);
  const utf8 = parameters.every((p) => /^charset\s*=\s*("utf-8"|utf-8)$/.test(p));
  if (!json || !utf8) throw new UnsupportedMediaTypeError();
}

/**
 * The request's JSON body checked by `parse` (a schema parser from @streamdrop/events).
 * `expected` tells the caller what to send when there is no body at all.
 */
export function parseJsonBody<T>(
  request: Pick<StreamsRequest, 'contentType' | 'body' | 'isBase64Encoded'>,
  parse: (value: unknown) => T,
  expected: string,
): T {
  assertJsonContentType(request.contentType);
  const raw = Buffer.from(request.body ?? '', request.isBase64Encoded ? 'base64' : 'utf8');
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
