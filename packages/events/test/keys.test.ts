import { parseUploadKey, processedKey, processedKeyFor, uploadKey, ValidationError } from '../src';

const parts = { userSub: 'user-1', uploadId: 'upload-1', filename: 'demo.txt' };

describe('object keys', () => {
  it('places uploads under uploads/<sub>/<id>/<filename>', () => {
    expect(uploadKey(parts)).toBe('uploads/user-1/upload-1/demo.txt');
  });

  it('places the processed twin under processed/<sub>/<id>/<filename>', () => {
    expect(processedKey(parts)).toBe('processed/user-1/upload-1/demo.txt');
    expect(processedKeyFor('uploads/user-1/upload-1/demo.txt')).toBe('processed/user-1/upload-1/demo.txt');
  });

  it('round-trips an upload key through parseUploadKey', () => {
    expect(parseUploadKey(uploadKey(parts))).toEqual(parts);
  });

  it.each([
    [{ ...parts, userSub: '../other' }, /userSub/],
    [{ ...parts, userSub: 'a/b' }, /userSub/],
    [{ ...parts, userSub: '' }, /userSub/],
    [{ ...parts, uploadId: '..' }, /uploadId/],
    [{ ...parts, filename: '../x' }, /filename/],
  ])('refuses unsafe parts %j', (bad, reason) => {
    expect(() => uploadKey(bad)).toThrow(ValidationError);
    expect(() => uploadKey(bad)).toThrow(reason);
  });

  it.each([
    ['processed/user-1/upload-1/demo.txt', /must start with/],
    ['uploads/user-1/demo.txt', /must look like/],
    ['uploads/user-1/upload-1/a/b.txt', /must look like/],
    ['uploads/user-1/upload-1/..', /filename/],
  ])('parseUploadKey refuses %j', (key, reason) => {
    expect(() => parseUploadKey(key)).toThrow(reason);
  });
});
