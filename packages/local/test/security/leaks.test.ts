/**
 * The error-body check the security suites rely on must itself be able to fail: it reports each
 * kind of leak, and passes the bodies the functions and the gateway actually answer.
 */
import { leaks } from './support';

const INTERNALS = ['streamdrop-dev-data-local', 'arn:aws:', '000000000000', 'http://127.0.0.1:4567'];

describe('leaks()', () => {
  it.each([
    ['a Node stack frame', 'Error: boom\n    at processUpload (/var/task/index.mjs:12:7)', /stack frame/],
    ['an async frame', 'failed at async send (file:///var/task/index.mjs:3:9)', /stack frame/],
    ['an exception name', '{"message":"ResourceNotFoundException: Stream x not found"}', /exception name/],
    [
      'a JavaScript error name',
      '{"message":"TypeError: cannot read properties of undefined"}',
      /JavaScript error/,
    ],
    ['an AWS error code', '{"message":"AccessDenied"}', /AWS error code/],
    ['an SDK error object', '{"$metadata":{"httpStatusCode":403}}', /SDK error object/],
    ['a source path', '{"message":"in /work/main/functions/upload/src/upload.ts:42"}', /source path/],
    [
      'a bucket name',
      '{"message":"could not write to streamdrop-dev-data-local"}',
      /streamdrop-dev-data-local/,
    ],
    ['an ARN', '{"message":"arn:aws:kinesis:us-east-1:000000000000:stream/x"}', /arn:aws:/],
    ['an emulator endpoint', '{"message":"connect ECONNREFUSED http://127.0.0.1:4567"}', /127\.0\.0\.1:4567/],
  ])('reports %s', (_label, body, found) => {
    expect(leaks(body, INTERNALS).join('\n')).toMatch(found);
  });

  it.each([
    '{"message":"Unauthorized"}',
    '{"message":"content must be at most 4194304 bytes (got 4194305)","requestId":"abc="}',
    '{"message":"filename: must not contain \'/\' or \'\\\\\'","requestId":"abc="}',
    '{"message":"The service is temporarily unavailable; nothing was stored. Retry later.","requestId":"abc="}',
    '{"message":"Only members of the admins group may use the streams API","requestId":"abc="}',
  ])('passes %s', (body) => {
    expect(leaks(body, INTERNALS)).toEqual([]);
  });

  it('excuses an internal name the caller sent itself', () => {
    const body = '{"message":"Stream streamdrop-dev-data-local not found"}';
    expect(leaks(body, INTERNALS, '/streams/streamdrop-dev-data-local')).toEqual([]);
    expect(leaks(body, INTERNALS)).not.toEqual([]);
  });
});
