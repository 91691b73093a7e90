import { ValidationError } from '@streamdrop/events';
import { assertJsonContentType, type JsonRequest, parseJsonBody } from '../src';

const EXPECTED = 'a JSON object with name';

function request(body: string | undefined, overrides: Partial<JsonRequest> = {}): JsonRequest {
  return { contentType: 'application/json', body, isBase64Encoded: false, ...overrides };
}

/** A schema parser in the style of @streamdrop/events: throws ValidationError. */
function parseNamed(value: unknown): { name: string } {
  if (typeof value === 'object' && value !== null && 'name' in value && typeof value.name === 'string') {
    return { name: value.name };
  }
  throw new ValidationError(['name: must be a string']);
}

describe('assertJsonContentType', () => {
  it.each([
    undefined,
    '',
    '  ',
    'application/json',
    'Application/JSON',
    'application/json; charset=utf-8',
    'application/json;charset="UTF-8"',
    'application/vnd.api+json',
  ])('accepts %p', (header) => {
    expect(() => assertJsonContentType(header)).not.toThrow();
  });

  it.each([
    ['another media type', 'application/xml'],
    ['a structured suffix other than +json', 'application/problem+xml'],
    ['a name that only starts with json', 'application/json5'],
    ['a charset other than UTF-8', 'application/json; charset=utf-16'],
    ['a parameter other than charset', 'application/json; boundary=x'],
    ['no media type at all', '; charset=utf-8'],
  ])('refuses %s (%p) with 415 telling the caller to send JSON', (_label, header) => {
    expect(() => assertJsonContentType(header)).toThrow(
      expect.objectContaining({
        name: 'UnsupportedMediaTypeError',
        statusCode: 415,
        message: 'unsupported content type; send "Content-Type: application/json"',
      }),
    );
  });
});

describe('parseJsonBody', () => {
  it('returns what the parser makes of the JSON body', () => {
    expect(parseJsonBody(request('{"name":"a"}'), parseNamed, { expected: EXPECTED })).toEqual({ name: 'a' });
  });

  it('decodes a body that API Gateway delivered base64-encoded', () => {
    const encoded = request(Buffer.from('{"name":"é"}').toString('base64'), { isBase64Encoded: true });

    expect(parseJsonBody(encoded, parseNamed, { expected: EXPECTED })).toEqual({ name: 'é' });
  });

  it('checks the content type before anything else', () => {
    const parse = jest.fn(parseNamed);

    expect(() =>
      parseJsonBody(request('', { contentType: 'text/plain' }), parse, { expected: EXPECTED }),
    ).toThrow(expect.objectContaining({ statusCode: 415 }));
    expect(parse).not.toHaveBeenCalled();
  });

  it.each([
    ['an empty body', ''],
    ['no body at all', undefined],
  ])('refuses %s with 400 saying what to send', (_label, body) => {
    expect(() => parseJsonBody(request(body), parseNamed, { expected: EXPECTED })).toThrow(
      expect.objectContaining({
        name: 'BadRequestError',
        statusCode: 400,
        message: `body is required: ${EXPECTED}`,
      }),
    );
  });

  it.each([
    ['invalid JSON', request('{"name": ')],
    [
      'a body that is not UTF-8',
      request(Buffer.from([0x7b, 0xff, 0x7d]).toString('base64'), { isBase64Encoded: true }),
    ],
  ])('refuses %s with 400 "body is not valid JSON"', (_label, invalid) => {
    expect(() => parseJsonBody(invalid, parseNamed, { expected: EXPECTED })).toThrow(
      expect.objectContaining({
        name: 'BadRequestError',
        statusCode: 400,
        message: 'body is not valid JSON',
      }),
    );
  });

  it("turns the parser's ValidationError into a 400 with its message and cause", () => {
    let thrown: unknown;
    try {
      parseJsonBody(request('{"name":7}'), parseNamed, { expected: EXPECTED });
    } catch (error) {
      thrown = error;
    }

    expect(thrown).toMatchObject({
      name: 'BadRequestError',
      statusCode: 400,
      message: 'name: must be a string',
    });
    expect(thrown instanceof Error && thrown.cause).toBeInstanceOf(ValidationError);
  });

  it('lets any other error of the parser through as it is (a bug, not a bad request)', () => {
    const bug = new TypeError('cannot read properties of undefined');

    expect(() =>
      parseJsonBody(
        request('{}'),
        () => {
          throw bug;
        },
        { expected: EXPECTED },
      ),
    ).toThrow(bug);
  });

  it('refuses a body over the limit with 413 and its message, without parsing it', () => {
    const parse = jest.fn(parseNamed);
    const limit = { maxBytes: 8, message: 'content is limited to 4 bytes' };

    expect(() => parseJsonBody(request('{"name":"ab"}'), parse, { expected: EXPECTED, limit })).toThrow(
      expect.objectContaining({ name: 'PayloadTooLargeError', statusCode: 413, message: limit.message }),
    );
    expect(parse).not.toHaveBeenCalled();
  });

  it('accepts a body of exactly the limit, measured in decoded bytes', () => {
    const json = '{"name":"é"}'; // 13 bytes, 12 characters
    const limit = { maxBytes: Buffer.byteLength(json), message: 'too large' };

    expect(parseJsonBody(request(json), parseNamed, { expected: EXPECTED, limit })).toEqual({ name: 'é' });
    expect(() =>
      parseJsonBody(request(json), parseNamed, { expected: EXPECTED, limit: { ...limit, maxBytes: 12 } }),
    ).toThrow('too large');
  });
});
