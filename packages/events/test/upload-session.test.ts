import {
  CompleteUploadResponseSchema,
  decodeUploadEvent,
  encodeUploadEvent,
  parseCreateSessionRequest,
  ValidationError,
} from '../src';
import { makeDirectUploadEvent, makeKinesisRecord, makeUploadEvent } from '../src/testing';

describe('upload event v2 (direct uploads)', () => {
  it('round-trips with and without a declared sha256', () => {
    for (const event of [makeDirectUploadEvent(), makeDirectUploadEvent({ declared: false })]) {
      expect(decodeUploadEvent(encodeUploadEvent(event))).toEqual(event);
      expect(decodeUploadEvent(makeKinesisRecord(event).kinesis.data)).toEqual(event);
    }
    expect(makeDirectUploadEvent({ declared: false })).not.toHaveProperty('sha256');
  });

  it('still decodes v1 exactly, sha256 required', () => {
    const v1 = makeUploadEvent();
    expect(decodeUploadEvent(encodeUploadEvent(v1))).toEqual(v1);
    const { sha256: _dropped, ...withoutDigest } = v1;
    expect(() => decodeUploadEvent(Buffer.from(JSON.stringify(withoutDigest)))).toThrow(/sha256/);
  });

  it.each([
    ['without its origin', { origin: undefined }, /origin: must be "direct"/],
    ['with another origin', { origin: 'inline' }, /origin/],
    ['with a key of another user', { key: 'uploads/someone-else/x/demo.txt' }, /does not belong to userSub/],
    ['with an upper-case digest', { sha256: 'A'.repeat(64) }, /sha256/],
  ])('refuses a v2 event %s', (_label, change, reason) => {
    const data = Buffer.from(JSON.stringify({ ...makeDirectUploadEvent(), ...change }));
    expect(() => decodeUploadEvent(data)).toThrow(ValidationError);
    expect(() => decodeUploadEvent(data)).toThrow(reason);
  });
});

describe('upload session request', () => {
  it('takes a name and a size, with an optional content type and sha256 (stored lower-case)', () => {
    expect(parseCreateSessionRequest({ filename: 'a.bin', size: 0 })).toEqual({ filename: 'a.bin', size: 0 });
    expect(
      parseCreateSessionRequest({
        filename: 'a.bin',
        size: 3,
        contentType: 'image/png',
        sha256: 'AB'.repeat(32),
      }),
    ).toEqual({ filename: 'a.bin', size: 3, contentType: 'image/png', sha256: 'ab'.repeat(32) });
  });

  it.each([
    ['a negative size', { filename: 'a', size: -1 }, /^size: must be 0 or more$/],
    ['a fractional size', { filename: 'a', size: 1.5 }, /^size: must be a whole number of bytes$/],
    ['a size given as text', { filename: 'a', size: '12' }, /^size: must be a whole number of bytes$/],
    ['a digest that is not one', { filename: 'a', size: 1, sha256: 'abc' }, /^sha256: must be the SHA-256/],
    ['an unsafe name', { filename: '../x', size: 1 }, /^filename: /],
    ['a field it does not know', { filename: 'a', size: 1, key: 'uploads/x' }, /unknown field "key"/],
    ['a bad content type', { filename: 'a', size: 1, contentType: 'text\nplain' }, /^contentType: /],
  ])('refuses %s, naming the field', (_label, body, message) => {
    expect(() => parseCreateSessionRequest(body)).toThrow(message);
  });
});

describe('complete answer', () => {
  it('is the inline 202 body plus the status', () => {
    const body = {
      message: 'm',
      uploadId: 'u',
      file_key: 'k',
      s3: { bucket: 'b', key: 'k' },
      requestId: 'r',
      status: 'queued',
    };
    expect(CompleteUploadResponseSchema.parse(body)).toEqual(body);
    expect(() => CompleteUploadResponseSchema.parse({ ...body, status: 'done' })).toThrow();
  });
});
