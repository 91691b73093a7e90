import {
  DEFAULT_MAX_UPLOAD_BYTES,
  decodeContent,
  decodedSizeUpperBound,
  defaultContentType,
  parseUploadRequest,
  ValidationError,
} from '../src';

describe('upload request schema', () => {
  it('accepts the plain demo body {filename, content} and defaults encoding to utf8', () => {
    expect(parseUploadRequest({ filename: 'demo.txt', content: 'hello kinesis' })).toEqual({
      filename: 'demo.txt',
      content: 'hello kinesis',
      encoding: 'utf8',
    });
  });

  it('accepts base64 content with a content type', () => {
    const body = { filename: 'a.bin', content: 'AAEC/w==', encoding: 'base64', contentType: 'image/png' };
    const parsed = parseUploadRequest(body);
    expect(decodeContent(parsed)).toEqual(Buffer.from([0, 1, 2, 255]));
  });

  it('accepts a content type with parameters', () => {
    expect(
      parseUploadRequest({ filename: 'a.txt', content: 'x', contentType: 'text/plain; charset=utf-8' })
        .contentType,
    ).toBe('text/plain; charset=utf-8');
  });

  it.each([
    [null, /expected object/i],
    ['a string', /expected object/i],
    [{ content: 'x' }, /^filename: /],
    [{ filename: 'a.txt' }, /^content: /],
    [{ filename: 42, content: 'x' }, /^filename: must be a string/],
    [{ filename: 'a.txt', content: 42 }, /^content: must be a string/],
    [{ filename: '../a.txt', content: 'x' }, /^filename: must not contain/],
    [{ filename: 'a.txt', content: 'x', encoding: 'hex' }, /^encoding: /],
    [{ filename: 'a.txt', content: 'not base64!', encoding: 'base64' }, /^content: is not valid base64/],
    [{ filename: 'a.txt', content: 'AAE', encoding: 'base64' }, /^content: is not valid base64/],
    [{ filename: 'a.txt', content: 'x', contentType: 'text' }, /^contentType: must be a media type/],
    [{ filename: 'a.txt', content: 'x', contentType: 'text/plain\r\nX-Evil: 1' }, /^contentType: /],
    [{ filename: 'a.txt', content: 'x', contentType: 'text/plain\r\n; charset=utf-8' }, /^contentType: /],
    [{ filename: 'a.txt', content: 'x', contentType: 'text/plain; a="\u0000"' }, /^contentType: /],
    [{ filename: 'a.txt', content: 'x', contentType: 'text/plain; a="é"' }, /^contentType: /],
    [{ filename: 'a.txt', content: 'a\ud800b' }, /^content: must be well-formed Unicode/],
    [{ filename: 'a.txt', content: '\udfff' }, /^content: must be well-formed Unicode/],
    [{ filename: 'a.txt', content: 'x', owner: 'someone-else' }, /unknown field "owner"/],
  ])('rejects %j naming the problem', (body, reason) => {
    let error: unknown;
    try {
      parseUploadRequest(body);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toMatch(reason);
  });

  it('accepts base64 content of several MB (checked in linear time, no regex backtracking)', () => {
    const content = Buffer.alloc(4 * 1024 * 1024, 7).toString('base64');
    expect(parseUploadRequest({ filename: 'big.bin', content, encoding: 'base64' }).content).toHaveLength(
      content.length,
    );
  });

  it('refuses base64 whose padding bits are not zero (not canonical RFC 4648)', () => {
    expect(() => parseUploadRequest({ filename: 'a.bin', content: 'AB==', encoding: 'base64' })).toThrow(
      /not valid base64/,
    );
  });

  it('defaults the content type from the encoding', () => {
    expect(defaultContentType('utf8')).toBe('text/plain; charset=utf-8');
    expect(defaultContentType('base64')).toBe('application/octet-stream');
  });

  it('bounds the decoded size without decoding', () => {
    expect(decodedSizeUpperBound('AAAA', 'base64')).toBe(3);
    expect(decodedSizeUpperBound('é', 'utf8')).toBeGreaterThanOrEqual(Buffer.byteLength('é'));
    expect(DEFAULT_MAX_UPLOAD_BYTES).toBe(4 * 1024 * 1024);
  });
});
