import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { assertPortFree } from '../src/emulators';
import { PortInUseError, StackError } from '../src/errors';
import { buildRuntimeModel, readInventory } from '../src/stack/model';
import { interpolate } from '../src/stack/terraform-json';
import { writeFixtureStack } from './support/fixture-stack';

const ids = { userPoolId: 'local_abc', clientId: 'client123', cognitoEndpoint: 'http://127.0.0.1:9229' };

describe('reading the synthesized stack', () => {
  it('inventories the pool, client, groups, buckets with their roles, and streams', () => {
    const { inventory } = readInventory(writeFixtureStack().file);
    expect(inventory.region).toBe('eu-west-1');
    expect(inventory.groups).toEqual(['admins']);
    expect(inventory.adminGroup).toBe('admins');
    expect(inventory.buckets).toEqual([
      { address: 'aws_s3_bucket.data', name: 'fixture-data-local', role: 'data' },
      { address: 'aws_s3_bucket.failures', name: 'fixture-failures-local', role: 'failures' },
    ]);
    expect(inventory.streams).toEqual([{ address: 'aws_kinesis_stream.events', name: 'fixture-events' }]);
  });

  it('maps routes, the JWT authorizer (onto the local pool), functions and the event source mapping', () => {
    const { tf, inventory } = readInventory(writeFixtureStack({ batchSize: 7 }).file);
    const model = buildRuntimeModel(tf, inventory, ids);
    expect(model.routes).toEqual([
      expect.objectContaining({
        routeKey: 'GET /whoami',
        functionName: 'fixture-api',
        authorizationType: 'JWT',
        authorizer: expect.objectContaining({
          issuer: 'http://127.0.0.1:9229/local_abc',
          jwksUri: 'http://127.0.0.1:9229/local_abc/.well-known/jwks.json',
          audience: ['client123'],
          identitySource: '$request.header.Authorization',
        }),
      }),
    ]);
    expect(model.functions.find((f) => f.name === 'fixture-api')?.environment).toEqual({
      SOME_BUCKET: 'fixture-data-local',
    });
    expect(model.mappings).toEqual([
      expect.objectContaining({
        functionName: 'fixture-consumer',
        streamName: 'fixture-events',
        batchSize: 7,
        startingPosition: 'TRIM_HORIZON',
        reportBatchItemFailures: true,
        bisectBatchOnFunctionError: true,
        onFailureBucket: 'fixture-failures-local',
      }),
    ]);
  });

  it('refuses a reference it cannot resolve, naming it', () => {
    expect(() => interpolate('${aws_sqs_queue.q.url}', () => undefined, 'x.env.QUEUE')).toThrow(
      /x\.env\.QUEUE: the local runtime cannot resolve the Terraform expression \$\{aws_sqs_queue\.q\.url\}/,
    );
  });

  it('tells the user to synthesize when the stack file is missing', () => {
    expect(() => readInventory('/nonexistent/cdk.tf.json')).toThrow(StackError);
    expect(() => readInventory('/nonexistent/cdk.tf.json')).toThrow(/pnpm build && pnpm synth/);
  });

  it('refuses a route whose integration is not a Lambda proxy', () => {
    const { file } = writeFixtureStack();
    const tf = JSON.parse(readFileSync(file, 'utf8'));
    tf.resource.aws_apigatewayv2_integration.api.integration_type = 'HTTP_PROXY';
    writeFileSync(file, JSON.stringify(tf));
    const read = readInventory(file);
    expect(() => buildRuntimeModel(read.tf, read.inventory, ids)).toThrow(/only AWS_PROXY/);
  });
});

describe('port checks', () => {
  it('names the service and the fix when a port is taken', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      const error = await assertPortFree('HTTP API gateway', port).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PortInUseError);
      expect((error as Error).message).toMatch(
        new RegExp(`Port ${port} \\(HTTP API gateway\\) is already in use.*--port`),
      );
    } finally {
      server.close();
    }
  });
});
