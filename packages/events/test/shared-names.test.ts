import { STREAM_PROXY_ROUTES as CONFIG_ROUTES, INLINE_UPLOAD, KEY_PREFIXES } from '@streamdrop/config';
import {
  DEFAULT_MAX_UPLOAD_BYTES,
  failureRecordKey,
  IDEMPOTENCY_PREFIX,
  ON_FAILURE_PREFIX,
  PROCESSED_PREFIX,
  PROCESSOR_FAILURES_PREFIX,
  processedKeyFor,
  STREAM_PROXY_ROUTES,
  UPLOADS_PREFIX,
  uploadKey,
} from '../src';

describe('names shared with the stack', () => {
  it('uses the key prefixes of @streamdrop/config, the ones IAM grants and lifecycle rules name', () => {
    expect({
      uploads: UPLOADS_PREFIX,
      processed: PROCESSED_PREFIX,
      idempotency: IDEMPOTENCY_PREFIX,
      processorFailures: PROCESSOR_FAILURES_PREFIX,
      onFailureDestination: ON_FAILURE_PREFIX,
    }).toEqual(KEY_PREFIXES);
  });

  it('builds keys under those prefixes', () => {
    const key = uploadKey({ userSub: 'sub-1', uploadId: 'id-1', filename: 'a.txt' });

    expect(key.startsWith(KEY_PREFIXES.uploads)).toBe(true);
    expect(processedKeyFor(key).startsWith(KEY_PREFIXES.processed)).toBe(true);
    expect(failureRecordKey('shardId-0:1').startsWith(KEY_PREFIXES.processorFailures)).toBe(true);
  });

  it('serves the routes and the upload cap of @streamdrop/config', () => {
    expect(STREAM_PROXY_ROUTES).toBe(CONFIG_ROUTES);
    expect(DEFAULT_MAX_UPLOAD_BYTES).toBe(INLINE_UPLOAD.defaultMaxBytes);
  });
});
