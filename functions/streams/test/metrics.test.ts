import { Metrics } from '@aws-lambda-powertools/metrics';
import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import { METRICS, serviceName } from '@streamdrop/config';
import type { StreamProxyRoute } from '@streamdrop/events';
import { captureEmf, makeLambdaContext } from '@streamdrop/events/testing';
import { createHandler } from '../src/handler';
import { streamsMetrics } from '../src/metrics';
import {
  HIDDEN_STREAM,
  healthyKinesis,
  kinesisMock,
  makeDeps,
  PUT_RECORD_BODY,
  type RouteEventOptions,
  routeEvent,
  USER_CLAIMS,
} from './support';

const NAMESPACE = 'Streamdrop/test';

async function callsOf(route: StreamProxyRoute, options: RouteEventOptions = {}) {
  const metrics = streamsMetrics(new Metrics({ namespace: NAMESPACE, serviceName: serviceName('streams') }));
  const handler = createHandler({ ...makeDeps(), metrics });
  const emitted = await captureEmf(() => handler(routeEvent(route, options), makeLambdaContext()));
  return emitted.filter((m) => m.name === METRICS.proxyCalls);
}

const call = (route: string, outcome: string) => ({
  namespace: NAMESPACE,
  name: METRICS.proxyCalls,
  unit: 'Count',
  dimensions: { service: serviceName('streams'), route, outcome },
  values: [1],
});

beforeEach(healthyKinesis);

describe('streams proxy metrics', () => {
  it.each([
    ['listStreams', {}],
    ['describeStream', {}],
    ['putRecord', { body: PUT_RECORD_BODY }],
  ] as const)('counts one %s call answered 200 as ok', async (route, options) => {
    expect(await callsOf(route, options)).toEqual([call(route, 'ok')]);
  });

  it('counts a caller outside the admins group as refused', async () => {
    expect(await callsOf('listStreams', { claims: USER_CLAIMS })).toEqual([call('listStreams', 'refused')]);
  });

  it('counts a stream off the allow-list as refused, named by its route, never by the stream', async () => {
    expect(await callsOf('describeStream', { name: HIDDEN_STREAM })).toEqual([
      call('describeStream', 'refused'),
    ]);
  });

  it('counts a Kinesis throttle as throttled and a Kinesis failure as failed', async () => {
    kinesisMock
      .on(PutRecordCommand)
      .rejectsOnce(Object.assign(new Error('slow'), { name: 'ProvisionedThroughputExceededException' }))
      .rejectsOnce(Object.assign(new Error('boom'), { name: 'InternalFailure' }));

    expect(await callsOf('putRecord', { body: PUT_RECORD_BODY })).toEqual([call('putRecord', 'throttled')]);
    expect(await callsOf('putRecord', { body: PUT_RECORD_BODY })).toEqual([call('putRecord', 'failed')]);
  });
});
