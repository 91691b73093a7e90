import { decodeUploadEvent, encodeUploadEvent, failureRecordKey, ValidationError } from '../src';
import { makeKinesisRecord, makeUploadEvent } from '../src/testing';

describe('upload event v1 codec', () => {
  it('round-trips through Kinesis record data (bytes and base64)', () => {
    const event = makeUploadEvent();
    const bytes = encodeUploadEvent(event);
    expect(decodeUploadEvent(bytes)).toEqual(event);
    expect(decodeUploadEvent(makeKinesisRecord(event).kinesis.data)).toEqual(event);
  });

  it('refuses to encode an invalid event', () => {
    expect(() => encodeUploadEvent({ ...makeUploadEvent(), sha256: 'nope' })).toThrow(/sha256/);
  });

  it.each([
    ['not JSON', Buffer.from('hello').toString('base64'), /not JSON/],
    ['not UTF-8', Buffer.from([0xff, 0xfe, 0xfd]).toString('base64'), /not UTF-8/],
    [
      'wrong version',
      Buffer.from(JSON.stringify({ ...makeUploadEvent(), version: 2 })).toString('base64'),
      /version/,
    ],
    ['missing field', Buffer.from(JSON.stringify({ version: 1 })).toString('base64'), /uploadId/],
    [
      'a key outside uploads/',
      Buffer.from(JSON.stringify({ ...makeUploadEvent(), key: 'processed/x/y/z.txt' })).toString('base64'),
      /key: must start with/,
    ],
    [
      "a key of another user's prefix",
      Buffer.from(JSON.stringify(makeUploadEvent({ key: 'uploads/other-user/upload-1/demo.txt' }))).toString(
        'base64',
      ),
      /does not belong to userSub/,
    ],
    [
      'a key with traversal',
      Buffer.from(JSON.stringify(makeUploadEvent({ key: 'uploads/u/i/../../x' }))).toString('base64'),
      /key: /,
    ],
  ])('refuses record data that is %s', (_label, data, reason) => {
    expect(() => decodeUploadEvent(data)).toThrow(ValidationError);
    expect(() => decodeUploadEvent(data)).toThrow(reason);
  });

  const withContentType = (contentType: string) =>
    Buffer.from(JSON.stringify(makeUploadEvent({ contentType }))).toString('base64');

  it.each([
    ['CR and LF', 'text/plain\r\nx-amz-meta-evil: 1'],
    ['a line feed before a parameter', 'text/plain\n; charset=utf-8'],
    ['a NUL in a quoted parameter', 'text/plain; name="a\u0000b"'],
    ['a character Node.js cannot send in a header', 'text/plain; name="\u0100"'],
    ['no subtype', 'text'],
    ['nothing', ''],
  ])('refuses a content type with %s, which could never be sent back to S3', (_label, contentType) => {
    expect(() => decodeUploadEvent(withContentType(contentType))).toThrow(
      /^contentType: must be a media type/,
    );
    expect(() => encodeUploadEvent(makeUploadEvent({ contentType }))).toThrow(ValidationError);
  });

  it.each([
    ['text/plain; charset=utf-8'],
    ['application/octet-stream'],
    ['image/svg+xml'],
    ['text/csv; charset="utf-8"; header=present'],
  ])('accepts the content type %j', (contentType) => {
    expect(decodeUploadEvent(withContentType(contentType)).contentType).toBe(contentType);
  });

  it('names failure records deterministically from the event id', () => {
    expect(failureRecordKey('shardId-000000000000:4959')).toBe('processor/shardId-000000000000_4959.json');
  });
});
