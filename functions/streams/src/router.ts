import {
  parsePutRecordRequest,
  parsePutRecordsRequest,
  STREAM_PROXY_ROUTES,
  StreamNameSchema,
  type StreamProxyResponse,
} from '@streamdrop/events';
import { BadRequestError, parseJsonBody } from '@streamdrop/lambda-kit';
import { authorizeAdmin } from './caller';
import { RouteNotFoundError } from './errors';
import {
  assertAllowed,
  describeStream,
  listStreams,
  putRecord,
  putRecords,
  type StreamsDeps,
} from './streams';
import type { StreamsRequest } from './streams-request';

function streamNameOf(request: StreamsRequest, deps: StreamsDeps): string {
  const result = StreamNameSchema.safeParse(request.streamName);
  if (!result.success) {
    throw new BadRequestError(`name: ${result.error.issues[0]?.message ?? 'is not a stream name'}`);
  }
  // Before the body is read: a caller learns nothing about a stream it may not touch.
  assertAllowed(result.data, deps.config);
  return result.data;
}

/**
 * Serves one `/streams` request: the caller must be an administrator, the stream must be on
 * the allow-list, the body must match the contract; only then is Kinesis called.
 */
export async function handleStreamsRequest(
  request: StreamsRequest,
  deps: StreamsDeps,
): Promise<StreamProxyResponse> {
  const caller = authorizeAdmin(request.claims, deps.config.adminGroup);
  const audit = { requestId: request.requestId, callerSub: caller.sub };

  switch (request.routeKey) {
    case STREAM_PROXY_ROUTES.listStreams:
      return listStreams(deps);
    case STREAM_PROXY_ROUTES.describeStream:
      return describeStream(streamNameOf(request, deps), deps);
    case STREAM_PROXY_ROUTES.putRecord: {
      const streamName = streamNameOf(request, deps);
      const body = parseJsonBody(request, parsePutRecordRequest, {
        expected: 'a JSON object with Data and PartitionKey',
      });
      const result = await putRecord(streamName, body, deps);
      deps.logger?.info('record put', { ...audit, streamName, shardId: result.ShardId });
      return result;
    }
    case STREAM_PROXY_ROUTES.putRecords: {
      const streamName = streamNameOf(request, deps);
      const body = parseJsonBody(request, parsePutRecordsRequest, {
        expected: 'a JSON object with records: [{ "data", "partition-key" }]',
      });
      const result = await putRecords(streamName, body, deps);
      deps.logger?.info('records put', {
        ...audit,
        streamName,
        records: body.records.length,
        failed: result.FailedRecordCount,
      });
      return result;
    }
    default:
      throw new RouteNotFoundError(request.routeKey);
  }
}
