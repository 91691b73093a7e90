import { KinesisClient, PutRecordCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { type KinesisStub, startKinesisStub } from '../src/stubs/kinesis-stub';

let stub: KinesisStub;
let kinesis: KinesisClient;

beforeAll(async () => {
  stub = await startKinesisStub({ latencyMs: 0, keep: 2 });
  kinesis = new KinesisClient({
    region: 'us-east-1',
    endpoint: stub.url,
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    // The stub speaks HTTP/1.1, as the functions' Kinesis client does.
    requestHandler: new NodeHttpHandler(),
  });
});

afterAll(async () => {
  kinesis.destroy();
  await stub.close();
});

describe('the bench Kinesis stub', () => {
  it('answers PutRecord and PutRecords with sequence numbers and keeps the latest data', async () => {
    const one = await kinesis.send(
      new PutRecordCommand({ StreamName: 's', PartitionKey: 'k', Data: Buffer.from('first') }),
    );
    const many = await kinesis.send(
      new PutRecordsCommand({
        StreamName: 's',
        Records: ['second', 'third'].map((text) => ({ PartitionKey: 'k', Data: Buffer.from(text) })),
      }),
    );

    expect(one).toMatchObject({
      ShardId: 'shardId-000000000000',
      SequenceNumber: expect.stringMatching(/^\d+$/),
    });
    expect(many.FailedRecordCount).toBe(0);
    expect(many.Records).toHaveLength(2);
    expect(stub.records).toBe(3);
    expect(stub.lastData.map((b) => b.toString())).toEqual(['second', 'third']);
  });

  it('refuses an operation it does not implement, as Kinesis refuses an unknown one', async () => {
    const { ListStreamsCommand } = await import('@aws-sdk/client-kinesis');
    await expect(kinesis.send(new ListStreamsCommand({}))).rejects.toMatchObject({
      name: 'UnknownOperationException',
    });
  });
});
