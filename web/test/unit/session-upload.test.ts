import type { CreateSessionResponse, SessionPart } from '@streamdrop/events';
import { type SessionApi, uploadThroughSession } from '../../src/upload/session-upload';
import { CancelledError, PartError, type PutPart } from '../../src/upload/transport';

const MIB = 1024 * 1024;

function session(sizes: number[]): CreateSessionResponse {
  let offset = 0;
  const parts: SessionPart[] = sizes.map((size, i) => {
    const part = {
      partNumber: i + 1,
      url: `https://s3/part${i + 1}`,
      method: 'PUT' as const,
      headers: {},
      offset,
      size,
    };
    offset += size;
    return part;
  });
  return { uploadId: 'u1', status: 'awaiting-upload', expiresAt: new Date().toISOString(), parts };
}

function fakeApi(sizes: number[]) {
  const calls: string[] = [];
  const api: SessionApi = {
    createSession: async (request) => {
      calls.push(`create ${request.filename} ${request.size}`);
      return session(sizes);
    },
    complete: async (id) => {
      calls.push(`complete ${id}`);
      return {
        message: 'ok',
        uploadId: id,
        file_key: 'k',
        s3: { bucket: 'b', key: 'k' },
        requestId: 'r',
        status: 'queued',
      };
    },
    deleteUpload: async (id) => {
      calls.push(`delete ${id}`);
    },
  };
  return { api, calls };
}

const file = (size: number) => {
  const blob = new Blob([new Uint8Array(size)]);
  return {
    name: 'f.bin',
    size,
    type: 'application/octet-stream',
    slice: (a: number, b: number) => blob.slice(a, b),
  };
};

const noWait = async () => undefined;

describe('uploadThroughSession', () => {
  it('opens a session, sends every part with its own slice, at most `concurrency` at once, then completes', async () => {
    const { api, calls } = fakeApi([16 * MIB, 16 * MIB, 16 * MIB, 2 * MIB]);
    let inFlight = 0;
    let most = 0;
    const sent: Array<[number, number]> = [];
    const putPart: PutPart = async (part, body, onProgress) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      onProgress(body.size);
      sent.push([part.partNumber, body.size]);
      inFlight--;
    };
    const progress: number[] = [];
    const done = await uploadThroughSession(file(50 * MIB), {
      api,
      putPart,
      concurrency: 2,
      onProgress: (bytes) => progress.push(bytes),
    });
    expect(done.status).toBe('queued');
    expect(calls).toEqual([`create f.bin ${50 * MIB}`, 'complete u1']);
    expect(sent.sort((a, b) => a[0] - b[0])).toEqual([
      [1, 16 * MIB],
      [2, 16 * MIB],
      [3, 16 * MIB],
      [4, 2 * MIB],
    ]);
    expect(most).toBe(2);
    expect(progress.at(-1)).toBe(50 * MIB);
  });

  it('sends a part again after a transient failure, without counting its bytes twice', async () => {
    const { api, calls } = fakeApi([1000]);
    let attempts = 0;
    const progress: number[] = [];
    const waits: number[] = [];
    const putPart: PutPart = async (_part, _body, onProgress) => {
      attempts++;
      onProgress(600);
      if (attempts < 3) throw new PartError(503, true, 'slow down');
    };
    await uploadThroughSession(file(1000), {
      api,
      putPart,
      sleep: async (ms) => {
        waits.push(ms);
      },
      onProgress: (bytes) => progress.push(bytes),
    });
    expect(attempts).toBe(3);
    expect(waits).toEqual([500, 1000]);
    expect(Math.max(...progress)).toBe(1000);
    expect(progress).toContain(0);
    expect(calls).toEqual(['create f.bin 1000', 'complete u1']);
  });

  it('gives up on a part refused for good, stops the others and deletes the session', async () => {
    const { api, calls } = fakeApi([10, 10, 10]);
    const aborted: number[] = [];
    const putPart: PutPart = (part, _body, _onProgress, signal) =>
      new Promise((resolve, reject) => {
        if (part.partNumber === 1) return reject(new PartError(403, false, 'part 1 was refused (403)'));
        signal.addEventListener('abort', () => {
          aborted.push(part.partNumber);
          reject(new CancelledError());
        });
        void resolve;
      });
    await expect(uploadThroughSession(file(30), { api, putPart, sleep: noWait })).rejects.toThrow(
      'part 1 was refused (403)',
    );
    expect(aborted.sort()).toEqual([2, 3]);
    expect(calls).toEqual(['create f.bin 30', 'delete u1']);
  });

  it('stops retrying after the last attempt', async () => {
    const { api } = fakeApi([10]);
    let attempts = 0;
    const putPart: PutPart = async () => {
      attempts++;
      throw new PartError(0, true, 'network error');
    };
    await expect(
      uploadThroughSession(file(10), { api, putPart, sleep: noWait, attempts: 3 }),
    ).rejects.toThrow('network error');
    expect(attempts).toBe(3);
  });

  it('cancels: the parts in flight are aborted, the session is deleted, nothing is completed', async () => {
    const { api, calls } = fakeApi([10, 10]);
    const controller = new AbortController();
    const putPart: PutPart = (_part, _body, _onProgress, signal) =>
      new Promise((_resolve, reject) => {
        signal.addEventListener('abort', () => reject(new CancelledError()));
        setTimeout(() => controller.abort(), 1);
      });
    await expect(
      uploadThroughSession(file(20), { api, putPart, signal: controller.signal, sleep: noWait }),
    ).rejects.toBeInstanceOf(CancelledError);
    expect(calls).toEqual(['create f.bin 20', 'delete u1']);
  });

  it('opens nothing when cancelled before it starts', async () => {
    const { api, calls } = fakeApi([10]);
    const controller = new AbortController();
    controller.abort();
    await expect(
      uploadThroughSession(file(10), { api, putPart: async () => undefined, signal: controller.signal }),
    ).rejects.toBeInstanceOf(CancelledError);
    expect(calls).toEqual([]);
  });
});
