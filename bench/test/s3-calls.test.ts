import { callsPerRecord, describeCalls } from '../src/suites/processor';

describe('S3 calls per record', () => {
  it('divides the calls made between two snapshots by the records, per operation and in total', () => {
    const before = { HeadObject: 10, GetObject: 10, PutObject: 12 };
    const after = { HeadObject: 10, GetObject: 110, PutObject: 112, DeleteObject: 0 };

    expect(callsPerRecord(before, after, 100)).toEqual({
      total: 2,
      byOperation: { GetObject: 1, PutObject: 1 },
    });
  });

  it('counts operations first seen after the first snapshot', () => {
    expect(callsPerRecord({}, { GetObject: 3, PutObject: 3, HeadObject: 3 }, 3).total).toBe(3);
  });

  it('describes the breakdown for the note, rounded to two decimals', () => {
    expect(describeCalls({ GetObject: 1, PutObject: 1 / 3 })).toBe('GetObject 1, PutObject 0.33');
    expect(describeCalls({})).toBe('none');
  });
});
