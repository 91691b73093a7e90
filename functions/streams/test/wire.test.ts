import { epochSeconds, toWire } from '../src/wire';

describe('Kinesis wire timestamps', () => {
  it('writes a Date as epoch seconds with milliseconds as the fraction', () => {
    expect(epochSeconds(new Date('2026-11-01T08:30:00.250Z'))).toBe(1793521800.25);
    expect(epochSeconds(new Date('2026-10-15T00:00:00.000Z'))).toBe(1792022400);
    expect(epochSeconds(new Date(0))).toBe(0);
  });

  it('turns every Date in a nested SDK output into a number and leaves the rest alone', () => {
    const output = {
      StreamName: 'uploads',
      StreamCreationTimestamp: new Date('2026-10-15T00:00:00.000Z'),
      HasMoreShards: false,
      KeyId: undefined,
      Shards: [{ ShardId: 'shardId-000000000000', Seen: [new Date(1_500)] }],
      Nothing: null,
    };

    expect(toWire(output)).toEqual({
      StreamName: 'uploads',
      StreamCreationTimestamp: 1792022400,
      HasMoreShards: false,
      KeyId: undefined,
      Shards: [{ ShardId: 'shardId-000000000000', Seen: [1.5] }],
      Nothing: null,
    });
  });

  it('never renders a timestamp as an ISO string once serialised', () => {
    const json = JSON.stringify(toWire({ At: new Date('2026-11-01T08:30:00.250Z') }));

    expect(json).toBe('{"At":1793521800.25}');
  });

  it('leaves the input untouched', () => {
    const at = new Date(1_000);
    const input = { At: at };

    toWire(input);

    expect(input.At).toBe(at);
  });
});
