import { Apigatewayv2Api } from '@cdktf/provider-aws/lib/apigatewayv2-api';
import { Apigatewayv2Authorizer } from '@cdktf/provider-aws/lib/apigatewayv2-authorizer';
import { Apigatewayv2Integration } from '@cdktf/provider-aws/lib/apigatewayv2-integration';
import { Apigatewayv2Route } from '@cdktf/provider-aws/lib/apigatewayv2-route';
import { Apigatewayv2Stage } from '@cdktf/provider-aws/lib/apigatewayv2-stage';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import { stackName } from '@streamdrop/config';
import { Construct } from 'constructs';
import type { NodeFunction } from './lambda-function';

/** One API route served by one function; every route requires a valid Cognito JWT. */
export interface ApiRoute {
  /** `METHOD /path`, e.g. `POST /uploads` or `GET /streams/{name}` (the stack's come from ROUTES). */
  readonly routeKey: string;
  readonly function: NodeFunction;
}

export interface ApiOptions {
  readonly stage: string;
  readonly routes: readonly ApiRoute[];
  /** Token issuer (`https://cognito-idp.<region>.amazonaws.com/<poolId>`). */
  readonly issuer: string;
  /** App client ids: ID tokens are matched on `aud`, access tokens on `client_id`. */
  readonly audience: readonly string[];
  readonly corsOrigins: readonly string[];
  readonly throttleBurstLimit: number;
  readonly throttleRateLimit: number;
  readonly logRetentionDays: number;
  /** Lambda integration timeout; HTTP APIs allow at most 30 s. */
  readonly integrationTimeoutMs?: number;
}

/** The access log line: one JSON object per request, with why a request failed when it did. */
export const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  requestTime: '$context.requestTime',
  httpMethod: '$context.httpMethod',
  routeKey: '$context.routeKey',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  integrationLatency: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
  authorizerError: '$context.authorizer.error',
});

const ROUTE_KEY = /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|ANY) (\/[A-Za-z0-9._~{}+/-]*)$/;

/**
 * The HTTP API: CORS for the configured origins only, a Cognito JWT authorizer, one Lambda
 * proxy integration per function, one route per entry of `routes`, and the `$default` stage
 * with throttling and JSON access logs.
 */
export class Api extends Construct {
  readonly api: Apigatewayv2Api;
  readonly authorizer: Apigatewayv2Authorizer;
  readonly stage: Apigatewayv2Stage;
  readonly accessLogGroup: CloudwatchLogGroup;
  readonly routes: readonly Apigatewayv2Route[];

  constructor(scope: Construct, id: string, options: ApiOptions) {
    super(scope, id);
    const name = stackName(options.stage);

    this.api = new Apigatewayv2Api(this, 'api', {
      name,
      protocolType: 'HTTP',
      description: 'streamdrop upload API',
      corsConfiguration: {
        allowOrigins: [...options.corsOrigins],
        allowMethods: ['POST', 'GET', 'PUT', 'DELETE', 'OPTIONS'],
        allowHeaders: ['authorization', 'content-type', 'idempotency-key'],
        allowCredentials: false,
        maxAge: 600,
      },
    });

    this.authorizer = new Apigatewayv2Authorizer(this, 'authorizer', {
      apiId: this.api.id,
      name: 'cognito-jwt',
      authorizerType: 'JWT',
      identitySources: ['$request.header.Authorization'],
      jwtConfiguration: { issuer: options.issuer, audience: [...options.audience] },
    });

    const integrations = new Map<NodeFunction, Apigatewayv2Integration>();
    const seen = new Set<string>();
    this.routes = options.routes.map((route) => {
      const match = ROUTE_KEY.exec(route.routeKey);
      const path = match?.[2];
      if (!path)
        throw new Error(`API route "${route.routeKey}": expected "METHOD /path", e.g. "POST /uploads"`);
      if (seen.has(route.routeKey)) throw new Error(`API route "${route.routeKey}" is declared twice`);
      seen.add(route.routeKey);
      const slug = routeSlug(route.routeKey);

      let integration = integrations.get(route.function);
      if (!integration) {
        integration = new Apigatewayv2Integration(this, `integration-${route.function.node.id}`, {
          apiId: this.api.id,
          integrationType: 'AWS_PROXY',
          integrationUri: route.function.invokeArn,
          integrationMethod: 'POST',
          payloadFormatVersion: '2.0',
          // HTTP APIs' maximum: the complete of a large upload session waits for S3.
          timeoutMilliseconds: options.integrationTimeoutMs ?? 30_000,
        });
        integrations.set(route.function, integration);
      }

      // Invocations are allowed from this API for this path only (any stage, any method).
      new LambdaPermission(this, `permission-${slug}`, {
        statementId: `AllowApiGateway-${slug}`,
        action: 'lambda:InvokeFunction',
        functionName: route.function.functionName,
        principal: 'apigateway.amazonaws.com',
        sourceArn: `${this.api.executionArn}/*/*${sourceArnPath(path)}`,
      });

      return new Apigatewayv2Route(this, `route-${slug}`, {
        apiId: this.api.id,
        routeKey: route.routeKey,
        target: `integrations/${integration.id}`,
        authorizationType: 'JWT',
        authorizerId: this.authorizer.id,
      });
    });

    this.accessLogGroup = new CloudwatchLogGroup(this, 'access-logs', {
      name: `/aws/apigateway/${name}`,
      retentionInDays: options.logRetentionDays,
    });

    this.stage = new Apigatewayv2Stage(this, 'stage', {
      apiId: this.api.id,
      name: '$default',
      autoDeploy: true,
      defaultRouteSettings: {
        throttlingBurstLimit: options.throttleBurstLimit,
        throttlingRateLimit: options.throttleRateLimit,
      },
      accessLogSettings: {
        destinationArn: this.accessLogGroup.arn,
        format: ACCESS_LOG_FORMAT,
      },
    });
  }

  /** Base URL of the `$default` stage. */
  get url(): string {
    return this.api.apiEndpoint;
  }
}

/** `GET /streams/{name}` -> `get-streams-name` (construct ids and statement ids). */
function routeSlug(routeKey: string): string {
  return routeKey
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/** Path parameters match any one segment; a greedy `{proxy+}` matches the rest. */
function sourceArnPath(path: string): string {
  return path.replace(/\{[^}]+\}/g, '*');
}
