import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import { decodeUploadEvent, encodeUploadEvent, ValidationError } from '@streamdrop/events';
import { makeUploadEvent } from '@streamdrop/events/testing';
import { healthyKinesis, kinesisMock, serve, TEST_STREAM } from './support';

function putRecordData(): Uint8Array {
  const data = kinesisMock.commandCalls(PutRecordCommand)[0]?.args[0].input.Data;
  if (!data) throw new Error('PutRecord was not called');
  return data;
}

beforeEach(healthyKinesis);

// The proxy writes whatever an administrator sends into the upload stream. The processor reads
// every record with decodeUploadEvent and turns the ones it rejects into failure records in the
// failures bucket: that is the documented fate of a record put by hand that is not an upload event.
describe('records put through the proxy, as the processor sees them', () => {
  it('are rejected by decodeUploadEvent when they are not JSON', async () => {
    await serve('putRecord', { name: TEST_STREAM, body: { Data: 'some data', PartitionKey: 'some key' } });

    expect(() => decodeUploadEvent(putRecordData())).toThrow(ValidationError);
    expect(() => decodeUploadEvent(putRecordData())).toThrow('record data is not JSON');
  });

  it('are rejected by decodeUploadEvent when they are JSON of an event version that does not exist', async () => {
    // Versions 1 (inline uploads) and 2 (direct uploads) exist; 3 does not.
    const notAnEvent = JSON.stringify({ ...makeUploadEvent(), version: 3 });
    await serve('putRecord', { body: { Data: notAnEvent, PartitionKey: 'some key' } });

    expect(() => decodeUploadEvent(putRecordData())).toThrow(/^version: /);
  });

  it('decode like the upload function wrote them when they carry a valid upload event', async () => {
    const event = makeUploadEvent();
    const data = new TextDecoder().decode(encodeUploadEvent(event));

    await serve('putRecord', { body: { Data: data, PartitionKey: event.uploadId } });

    expect(decodeUploadEvent(putRecordData())).toEqual(event);
  });
});
