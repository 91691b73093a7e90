import { join } from 'node:path';
import { Apigatewayv2Api } from '@cdktf/provider-aws/lib/apigatewayv2-api';
import { Apigatewayv2Authorizer } from '@cdktf/provider-aws/lib/apigatewayv2-authorizer';
import { Apigatewayv2Integration } from '@cdktf/provider-aws/lib/apigatewayv2-integration';
import { Apigatewayv2Route } from '@cdktf/provider-aws/lib/apigatewayv2-route';
import { Apigatewayv2Stage } from '@cdktf/provider-aws/lib/apigatewayv2-stage';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import { TerraformStack, Testing } from 'cdktf';
import { Api } from '../src/api';
import { NodeFunction } from '../src/lambda-function';
import {
  fakeBundlesDir,
  findResource,
  newOutdir,
  ref,
  resourcesOf,
  synth,
  type TerraformJson,
} from './helpers';

describe('api', () => {
  const { json, tf } = synth();
  const api = findResource(tf, 'aws_apigatewayv2_api', 'name', 'streamdrop-dev');
  const apiId = ref('aws_apigatewayv2_api', api.id, 'id');
  const pool = findResource(tf, 'aws_cognito_user_pool', 'name', 'streamdrop-dev-users');
  const client = findResource(tf, 'aws_cognito_user_pool_client', 'name', 'streamdrop-dev-client');
  const upload = findResource(tf, 'aws_lambda_function', 'function_name', 'streamdrop-dev-upload');
  const authorizer = findResource(tf, 'aws_apigatewayv2_authorizer', 'api_id', apiId);
  const streams = findResource(tf, 'aws_lambda_function', 'function_name', 'streamdrop-dev-streams');
  const integrationOf = (fn: { id: string }) =>
    findResource(
      tf,
      'aws_apigatewayv2_integration',
      'integration_uri',
      ref('aws_lambda_function', fn.id, 'invoke_arn'),
    );
  const integration = integrationOf(upload);

  it('is an HTTP API', () => {
    expect(json).toHaveResourceWithProperties(Apigatewayv2Api, {
      name: 'streamdrop-dev',
      protocol_type: 'HTTP',
    });
  });

  it('allows browser calls from the configured origins and the hosted web client only, never "*"', () => {
    expect(json).toHaveResourceWithProperties(Apigatewayv2Api, {
      cors_configuration: expect.objectContaining({
        allow_origins: [
          'http://localhost:3000',
          'https://${aws_cloudfront_distribution.web_cdn_290F614D.domain_name}',
        ],
      }),
    });
    expect(synth({ STREAMDROP_WEB_HOSTING: 'false' }).json).toHaveResourceWithProperties(Apigatewayv2Api, {
      cors_configuration: expect.objectContaining({ allow_origins: ['http://localhost:3000'] }),
    });
    const origins = Object.values(resourcesOf(tf, 'aws_apigatewayv2_api')).flatMap(
      (a) => (a.cors_configuration as { allow_origins: string[] }).allow_origins,
    );
    expect(origins).not.toContain('*');
  });

  it('allows the methods and headers the client sends, and caches preflights', () => {
    expect(json).toHaveResourceWithProperties(Apigatewayv2Api, {
      cors_configuration: expect.objectContaining({
        allow_methods: ['POST', 'GET', 'PUT', 'DELETE', 'OPTIONS'],
        allow_headers: ['authorization', 'content-type', 'idempotency-key'],
        max_age: 600,
      }),
    });
  });

  it('verifies JWTs from the Authorization header', () => {
    expect(json).toHaveResourceWithProperties(Apigatewayv2Authorizer, {
      api_id: apiId,
      authorizer_type: 'JWT',
      identity_sources: ['$request.header.Authorization'],
    });
  });

  it('trusts tokens of the user pool issued to the app client', () => {
    expect(json).toHaveResourceWithProperties(Apigatewayv2Authorizer, {
      jwt_configuration: {
        issuer: `https://cognito-idp.us-east-1.amazonaws.com/${ref('aws_cognito_user_pool', pool.id, 'id')}`,
        audience: [ref('aws_cognito_user_pool_client', client.id, 'id')],
      },
    });
  });

  it('proxies to the upload function with payload format 2.0 and a 30 s timeout', () => {
    expect(json).toHaveResourceWithProperties(Apigatewayv2Integration, {
      api_id: apiId,
      integration_type: 'AWS_PROXY',
      integration_uri: ref('aws_lambda_function', upload.id, 'invoke_arn'),
      payload_format_version: '2.0',
      timeout_milliseconds: 30000,
    });
  });

  it('routes POST /uploads to the upload function behind the JWT authorizer', () => {
    expect(json).toHaveResourceWithProperties(Apigatewayv2Route, {
      api_id: apiId,
      route_key: 'POST /uploads',
      authorization_type: 'JWT',
      authorizer_id: ref('aws_apigatewayv2_authorizer', authorizer.id, 'id'),
      target: `integrations/${ref('aws_apigatewayv2_integration', integration.id, 'id')}`,
    });
  });

  it.each([
    'GET /streams',
    'GET /streams/{name}',
    'PUT /streams/{name}/record',
    'PUT /streams/{name}/records',
  ])('routes %s to the streams function behind the same JWT authorizer', (routeKey) => {
    expect(json).toHaveResourceWithProperties(Apigatewayv2Route, {
      api_id: apiId,
      route_key: routeKey,
      authorization_type: 'JWT',
      authorizer_id: ref('aws_apigatewayv2_authorizer', authorizer.id, 'id'),
      target: `integrations/${ref('aws_apigatewayv2_integration', integrationOf(streams).id, 'id')}`,
    });
  });

  it('lets API Gateway invoke the streams function for the /streams paths only', () => {
    const sourceArns = Object.values(resourcesOf(tf, 'aws_lambda_permission'))
      .filter((p) => p.function_name === ref('aws_lambda_function', streams.id, 'function_name'))
      .map((p) => String(p.source_arn).replace(/^\$\{[^}]+\}/, '<api>'));
    expect(sourceArns.sort()).toEqual(
      [
        '<api>/*/*/streams',
        '<api>/*/*/streams/*',
        '<api>/*/*/streams/*/record',
        '<api>/*/*/streams/*/records',
      ].sort(),
    );
  });

  it('has no route without authorization', () => {
    const types = Object.values(resourcesOf(tf, 'aws_apigatewayv2_route')).map((r) => r.authorization_type);
    expect(types).toEqual(Array(9).fill('JWT'));
  });

  it('lets only this API invoke the upload function, on the /uploads path', () => {
    expect(json).toHaveResourceWithProperties(LambdaPermission, {
      action: 'lambda:InvokeFunction',
      principal: 'apigateway.amazonaws.com',
      function_name: ref('aws_lambda_function', upload.id, 'function_name'),
      source_arn: `${ref('aws_apigatewayv2_api', api.id, 'execution_arn')}/*/*/uploads`,
    });
  });

  it('deploys the $default stage automatically with throttling', () => {
    expect(json).toHaveResourceWithProperties(Apigatewayv2Stage, {
      api_id: apiId,
      name: '$default',
      auto_deploy: true,
      default_route_settings: { throttling_burst_limit: 100, throttling_rate_limit: 50 },
    });
    expect(
      synth({ STREAMDROP_API_BURST_LIMIT: '20', STREAMDROP_API_RATE_LIMIT: '10' }).json,
    ).toHaveResourceWithProperties(Apigatewayv2Stage, {
      default_route_settings: { throttling_burst_limit: 20, throttling_rate_limit: 10 },
    });
  });

  it('writes JSON access logs with request id, caller, route, status and both kinds of error', () => {
    const group = findResource(tf, 'aws_cloudwatch_log_group', 'name', '/aws/apigateway/streamdrop-dev');
    expect(json).toHaveResourceWithProperties(CloudwatchLogGroup, {
      name: '/aws/apigateway/streamdrop-dev',
      retention_in_days: 14,
    });
    const stage = findResource(tf, 'aws_apigatewayv2_stage', 'name', '$default');
    const settings = stage.body.access_log_settings as { destination_arn: string; format: string };
    expect(settings.destination_arn).toBe(ref('aws_cloudwatch_log_group', group.id, 'arn'));
    expect(JSON.parse(settings.format)).toMatchObject({
      requestId: '$context.requestId',
      ip: '$context.identity.sourceIp',
      routeKey: '$context.routeKey',
      status: '$context.status',
      integrationError: '$context.integrationErrorMessage',
      authorizerError: '$context.authorizer.error',
    });
  });
});

describe('Api routes', () => {
  function apiWith(
    routes: (fns: { a: NodeFunction; b: NodeFunction }) => { routeKey: string; function: NodeFunction }[],
  ) {
    const stack = new TerraformStack(Testing.app({ outdir: newOutdir() }), 'test');
    const common = { timeoutSeconds: 1, memoryMb: 128, logRetentionDays: 1 };
    const fns = {
      a: new NodeFunction(stack, 'a', {
        name: 'fn-a',
        bundleDir: join(fakeBundlesDir(), 'upload'),
        ...common,
      }),
      b: new NodeFunction(stack, 'b', {
        name: 'fn-b',
        bundleDir: join(fakeBundlesDir(), 'processor'),
        ...common,
      }),
    };
    new Api(stack, 'api', {
      stage: 'test',
      routes: routes(fns),
      issuer: 'https://issuer.example',
      audience: ['client'],
      corsOrigins: ['https://app.example.com'],
      throttleBurstLimit: 1,
      throttleRateLimit: 1,
      logRetentionDays: 1,
    });
    return JSON.parse(Testing.synth(stack)) as TerraformJson;
  }

  it('creates one route and one permission per entry, and one integration per function', () => {
    const tf = apiWith(({ a, b }) => [
      { routeKey: 'POST /uploads', function: a },
      { routeKey: 'GET /streams', function: b },
      { routeKey: 'GET /streams/{name}', function: b },
    ]);
    expect(
      Object.values(resourcesOf(tf, 'aws_apigatewayv2_route'))
        .map((r) => String(r.route_key))
        .sort(),
    ).toEqual(['GET /streams', 'GET /streams/{name}', 'POST /uploads']);
    expect(Object.keys(resourcesOf(tf, 'aws_apigatewayv2_integration'))).toHaveLength(2);
    const sourceArns = Object.values(resourcesOf(tf, 'aws_lambda_permission')).map((p) =>
      String(p.source_arn).replace(/^\$\{[^}]+\}/, '<api>'),
    );
    expect(sourceArns.sort()).toEqual(['<api>/*/*/streams', '<api>/*/*/streams/*', '<api>/*/*/uploads']);
  });

  it('rejects a route key that is not "METHOD /path"', () => {
    expect(() => apiWith(({ a }) => [{ routeKey: 'uploads', function: a }])).toThrow(
      'API route "uploads": expected "METHOD /path", e.g. "POST /uploads"',
    );
  });

  it('rejects a route declared twice', () => {
    expect(() =>
      apiWith(({ a, b }) => [
        { routeKey: 'POST /uploads', function: a },
        { routeKey: 'POST /uploads', function: b },
      ]),
    ).toThrow('API route "POST /uploads" is declared twice');
  });
});
