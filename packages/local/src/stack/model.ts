import { createHash } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { StackError } from '../errors';
import type { CorsModel } from '../gateway/cors';
import type {
  EventSourceMappingModel,
  FunctionModel,
  JwtAuthorizerModel,
  RouteModel,
  StartingPosition,
} from '../types';
import {
  interpolate,
  loadTerraformJson,
  prop,
  referencedAddress,
  resources,
  single,
  type TerraformJson,
  type TerraformResource,
} from './terraform-json';

export const LOCAL_ACCOUNT_ID = '000000000000';

/** What the bootstrap must create, read from the stack before anything runs. */
export interface StackInventory {
  file: string;
  dir: string;
  region: string;
  userPool: TerraformResource;
  userPoolClient: TerraformResource;
  groups: string[];
  /** Every bucket with its local name and, when an output names it (`<role>_bucket`), its role. */
  buckets: Array<{ address: string; name: string; role?: string }>;
  streams: Array<{ address: string; name: string }>;
  /** Every DynamoDB table, as the stack declares it (bootstrap creates each in dynalite). */
  tables: TerraformResource[];
  /** Every bucket CORS configuration, by the address of its bucket. */
  bucketCors: Array<{ bucketAddress: string; rules: Record<string, unknown>[] }>;
  /** The administrators' group: the `admin_group` output (a literal or a group reference), else the first group. */
  adminGroup?: string;
  outputs: Record<string, unknown>;
}

/** Ids the emulators handed out when the bootstrap created the stack's resources. */
export interface LocalIds {
  userPoolId: string;
  clientId: string;
  cognitoEndpoint: string;
  /** The local web client, `http://localhost:<port>/`: it plays the stack's CloudFront distribution. */
  webUrl?: string;
}

export interface RuntimeModel {
  functions: FunctionModel[];
  routes: RouteModel[];
  mappings: EventSourceMappingModel[];
  /** The HTTP API's CORS configuration, when the stack gives it one. */
  cors?: CorsModel;
}

/**
 * A list of the stack's web origins or URLs (CORS origins, sign-in callbacks) as they are locally:
 * an entry naming the CloudFront distribution (`https://${aws_cloudfront_distribution…}`) is the
 * local web client, which plays it; the local web client is always there, as the stack adds its
 * CloudFront URL on AWS; other entries are taken as written.
 */
export function localWebEntries(values: readonly string[], local: string | undefined): string[] {
  const cloudFront = /\$\{aws_cloudfront_distribution\./;
  const mapped = values.flatMap((value) => (cloudFront.test(value) ? (local ? [local] : []) : [value]));
  return [...new Set([...mapped, ...(local ? [local] : [])])];
}

/** The web client's origin, from its URL: `http://localhost:3000/` -> `http://localhost:3000`. */
export const originOf = (url: string): string => new URL(url).origin;

/** A bucket's local name: its fixed name, or its `bucket_prefix` + `local` (Terraform would add a random suffix). */
function localBucketName(r: TerraformResource): string {
  const fixed = prop.optStr(r, 'bucket');
  if (fixed) return fixed;
  const prefix = prop.optStr(r, 'bucket_prefix');
  if (prefix) return `${prefix}local`;
  throw new StackError(
    `${r.address} has neither bucket nor bucket_prefix: the local runtime cannot name it.`,
  );
}

export function readInventory(file: string): { tf: TerraformJson; inventory: StackInventory } {
  const tf = loadTerraformJson(file);
  const region = tf.provider?.aws?.[0]?.region;
  if (typeof region !== 'string' || region.includes('${')) {
    throw new StackError(`${file}: the aws provider has no literal region.`);
  }
  const outputs = Object.fromEntries(Object.entries(tf.output ?? {}).map(([k, v]) => [k, v.value]));
  const roleOf = new Map<string, string>();
  for (const [key, value] of Object.entries(outputs)) {
    const ref = referencedAddress(value);
    const m = /^(.+)_bucket$/.exec(key);
    if (m && ref?.address.startsWith('aws_s3_bucket.')) roleOf.set(ref.address, m[1] as string);
  }
  const groupRef = referencedAddress(outputs.admin_group);
  const groupValues = groupRef?.address.startsWith('aws_cognito_user_group.')
    ? tf.resource?.aws_cognito_user_group?.[groupRef.address.split('.')[1] ?? '']
    : undefined;
  const groups = resources(tf, 'aws_cognito_user_group').map((g) => prop.str(g, 'name'));
  const adminGroup =
    typeof groupValues?.name === 'string'
      ? groupValues.name
      : typeof outputs.admin_group === 'string' && !outputs.admin_group.includes('${')
        ? outputs.admin_group
        : groups[0];
  const inventory: StackInventory = {
    file,
    dir: dirname(file),
    region,
    userPool: single(tf, 'aws_cognito_user_pool'),
    userPoolClient: single(tf, 'aws_cognito_user_pool_client'),
    groups,
    adminGroup,
    buckets: resources(tf, 'aws_s3_bucket').map((b) => ({
      address: b.address,
      name: localBucketName(b),
      role: roleOf.get(b.address),
    })),
    streams: resources(tf, 'aws_kinesis_stream').map((s) => ({
      address: s.address,
      name: prop.str(s, 'name'),
    })),
    tables: resources(tf, 'aws_dynamodb_table'),
    bucketCors: resources(tf, 'aws_s3_bucket_cors_configuration').flatMap((c) => {
      const bucket = referencedAddress(c.values.bucket)?.address;
      const rules = c.values.cors_rule;
      return bucket?.startsWith('aws_s3_bucket.') && Array.isArray(rules)
        ? [{ bucketAddress: bucket, rules: rules as Record<string, unknown>[] }]
        : [];
    }),
    outputs,
  };
  return { tf, inventory };
}

/** Resolves `${type.name.attr}` references to what they are in the local stack. */
export function createLookup(tf: TerraformJson, inventory: StackInventory, ids: LocalIds) {
  const { region } = inventory;
  const find = (type: string, name: string) => tf.resource?.[type]?.[name];
  const lookup = (type: string, name: string, attribute: string): string | undefined => {
    if (type === 'data.aws_region') return ['name', 'region', 'id'].includes(attribute) ? region : undefined;
    if (type === 'data.aws_partition') return attribute === 'partition' ? 'aws' : undefined;
    if (type === 'data.aws_caller_identity') return attribute === 'account_id' ? LOCAL_ACCOUNT_ID : undefined;
    const values = find(type, name);
    if (!values) return undefined;
    const r: TerraformResource = { type, name, address: `${type}.${name}`, values };
    switch (type) {
      case 'aws_s3_bucket': {
        const bucket = localBucketName(r);
        if (attribute === 'bucket' || attribute === 'id') return bucket;
        if (attribute === 'arn') return `arn:aws:s3:::${bucket}`;
        return undefined;
      }
      case 'aws_kinesis_stream': {
        const stream = prop.str(r, 'name');
        const arn = `arn:aws:kinesis:${region}:${LOCAL_ACCOUNT_ID}:stream/${stream}`;
        if (attribute === 'name') return stream;
        if (attribute === 'arn' || attribute === 'id') return arn;
        return undefined;
      }
      case 'aws_dynamodb_table': {
        const table = prop.str(r, 'name');
        if (attribute === 'name' || attribute === 'id') return table;
        if (attribute === 'arn') return `arn:aws:dynamodb:${region}:${LOCAL_ACCOUNT_ID}:table/${table}`;
        return undefined;
      }
      case 'aws_cognito_user_pool':
        if (attribute === 'id') return ids.userPoolId;
        if (attribute === 'arn')
          return `arn:aws:cognito-idp:${region}:${LOCAL_ACCOUNT_ID}:userpool/${ids.userPoolId}`;
        if (attribute === 'endpoint')
          return `${ids.cognitoEndpoint.replace(/^https?:\/\//, '')}/${ids.userPoolId}`;
        return undefined;
      case 'aws_cognito_user_pool_client':
        return attribute === 'id' ? ids.clientId : undefined;
      case 'aws_cognito_user_group':
        return attribute === 'name' || attribute === 'id' ? prop.str(r, 'name') : undefined;
      case 'aws_lambda_function': {
        const fn = prop.str(r, 'function_name');
        const arn = `arn:aws:lambda:${region}:${LOCAL_ACCOUNT_ID}:function:${fn}`;
        if (attribute === 'function_name' || attribute === 'id') return fn;
        if (attribute === 'arn' || attribute === 'qualified_arn') return arn;
        if (attribute === 'invoke_arn') {
          return `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${arn}/invocations`;
        }
        return undefined;
      }
      case 'aws_cloudwatch_log_group': {
        const group = prop.str(r, 'name');
        if (attribute === 'name' || attribute === 'id') return group;
        if (attribute === 'arn') return `arn:aws:logs:${region}:${LOCAL_ACCOUNT_ID}:log-group:${group}`;
        return undefined;
      }
      case 'aws_iam_role':
        if (attribute === 'arn') return `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/${name}`;
        if (attribute === 'name' || attribute === 'id') return name;
        return undefined;
      default:
        // API Gateway ids (integrations, authorizers) resolve to their own address.
        return attribute === 'id' ? `${type}.${name}` : undefined;
    }
  };
  return lookup;
}

/** A deterministic UUID-shaped id for a resource address (stands in for AWS's generated UUIDs). */
export function stableUuid(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const COGNITO_ISSUER = /^https:\/\/cognito-idp\.[a-z0-9-]+\.amazonaws\.com\/(.+)$/;

export function buildRuntimeModel(tf: TerraformJson, inventory: StackInventory, ids: LocalIds): RuntimeModel {
  const lookup = createLookup(tf, inventory, ids);
  const resolveValue = (value: unknown, where: string): string => {
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    if (typeof value !== 'string')
      throw new StackError(`${where} should be a string, found ${JSON.stringify(value)}`);
    return interpolate(value, lookup, where);
  };
  const target = (value: unknown, type: string, where: string): TerraformResource => {
    const ref = referencedAddress(value);
    const [refType, refName] = ref?.address.split('.') ?? [];
    const values = refType && refName ? tf.resource?.[refType]?.[refName] : undefined;
    if (!ref || refType !== type || !refName || !values) {
      throw new StackError(`${where} should reference a ${type}, found ${JSON.stringify(value)}`);
    }
    return { type, name: refName, address: ref.address, values };
  };

  const functions: FunctionModel[] = resources(tf, 'aws_lambda_function').map((r) => {
    const env = prop.block(r, 'environment');
    const variables = (env?.variables ?? {}) as Record<string, unknown>;
    const filename = prop.str(r, 'filename');
    return {
      address: r.address,
      name: prop.str(r, 'function_name'),
      handler: prop.str(r, 'handler'),
      timeoutSeconds: prop.num(r, 'timeout', 3),
      memoryMb: prop.num(r, 'memory_size', 128),
      archivePath: resolve(inventory.dir, filename),
      environment: Object.fromEntries(
        Object.entries(variables).map(([k, v]) => [k, resolveValue(v, `${r.address}.environment.${k}`)]),
      ),
    };
  });
  const functionNameOf = (r: TerraformResource) => prop.str(r, 'function_name');

  const routes: RouteModel[] = resources(tf, 'aws_apigatewayv2_route').map((route) => {
    const where = route.address;
    const targetValue = prop.str(route, 'target', '');
    const m = /^integrations\/(\$\{[^}]+\})$/.exec(targetValue);
    if (!m)
      throw new StackError(`${where}.target should be integrations/<integration id>, found ${targetValue}`);
    const integration = target(m[1], 'aws_apigatewayv2_integration', `${where}.target`);
    if (prop.str(integration, 'integration_type') !== 'AWS_PROXY') {
      throw new StackError(`${integration.address}: only AWS_PROXY (Lambda) integrations run locally.`);
    }
    const fn = target(
      integration.values.integration_uri,
      'aws_lambda_function',
      `${integration.address}.integration_uri`,
    );
    const authorizationType = prop.str(route, 'authorization_type', 'NONE');
    let authorizer: JwtAuthorizerModel | undefined;
    if (authorizationType === 'JWT') {
      const a = target(route.values.authorizer_id, 'aws_apigatewayv2_authorizer', `${where}.authorizer_id`);
      const jwt = prop.block(a, 'jwt_configuration');
      const issuer = resolveValue(jwt?.issuer, `${a.address}.jwt_configuration.issuer`);
      const pool = COGNITO_ISSUER.exec(issuer);
      const localIssuer = pool ? `${ids.cognitoEndpoint}/${pool[1]}` : issuer;
      authorizer = {
        name: prop.str(a, 'name', a.name),
        issuer: localIssuer,
        jwksUri: `${localIssuer}/.well-known/jwks.json`,
        audience: ((jwt?.audience as unknown[]) ?? []).map((v, i) =>
          resolveValue(v, `${a.address}.jwt_configuration.audience[${i}]`),
        ),
        identitySource: prop.strs(a, 'identity_sources')[0] ?? '$request.header.Authorization',
      };
    } else if (authorizationType !== 'NONE') {
      throw new StackError(
        `${where}: authorization type ${authorizationType} does not run locally (JWT or NONE).`,
      );
    }
    return {
      routeKey: prop.str(route, 'route_key'),
      functionName: functionNameOf(fn),
      authorizationType,
      authorizer,
      authorizationScopes: prop.strs(route, 'authorization_scopes'),
      timeoutMs: prop.num(integration, 'timeout_milliseconds', 30_000),
      payloadFormatVersion: prop.str(integration, 'payload_format_version', '1.0') === '2.0' ? '2.0' : '1.0',
    } satisfies RouteModel;
  });

  const mappings: EventSourceMappingModel[] = resources(tf, 'aws_lambda_event_source_mapping').map((m) => {
    const where = m.address;
    const stream = target(m.values.event_source_arn, 'aws_kinesis_stream', `${where}.event_source_arn`);
    const fn = target(m.values.function_name, 'aws_lambda_function', `${where}.function_name`);
    const position = prop.str(m, 'starting_position', 'LATEST');
    if (!['LATEST', 'TRIM_HORIZON', 'AT_TIMESTAMP'].includes(position)) {
      throw new StackError(
        `${where}.starting_position ${position} is not LATEST, TRIM_HORIZON or AT_TIMESTAMP.`,
      );
    }
    const timestamp = prop.optStr(m, 'starting_position_timestamp');
    const destination = prop.block(m, 'destination_config');
    const onFailure = destination?.on_failure;
    const onFailureArn = (Array.isArray(onFailure) ? onFailure[0] : onFailure) as
      | { destination_arn?: unknown }
      | undefined;
    let onFailureBucket: string | undefined;
    if (onFailureArn?.destination_arn !== undefined) {
      const ref = referencedAddress(onFailureArn.destination_arn);
      if (!ref?.address.startsWith('aws_s3_bucket.')) {
        throw new StackError(`${where}: only an S3 bucket on-failure destination runs locally.`);
      }
      onFailureBucket = resolveValue(`\${${ref.address}.bucket}`, `${where}.destination_config`);
    }
    const streamName = prop.str(stream, 'name');
    return {
      address: where,
      uuid: stableUuid(where),
      functionName: functionNameOf(fn),
      streamName,
      streamArn: `arn:aws:kinesis:${inventory.region}:${LOCAL_ACCOUNT_ID}:stream/${streamName}`,
      batchSize: prop.num(m, 'batch_size', 100),
      maximumBatchingWindowSeconds: prop.num(m, 'maximum_batching_window_in_seconds', 0),
      startingPosition: position as StartingPosition,
      startingPositionTimestamp: timestamp ? Date.parse(timestamp) / 1000 : undefined,
      parallelizationFactor: prop.num(m, 'parallelization_factor', 1),
      reportBatchItemFailures: prop.strs(m, 'function_response_types').includes('ReportBatchItemFailures'),
      bisectBatchOnFunctionError: prop.bool(m, 'bisect_batch_on_function_error', false),
      maximumRetryAttempts: prop.num(m, 'maximum_retry_attempts', -1),
      maximumRecordAgeSeconds: prop.num(m, 'maximum_record_age_in_seconds', -1),
      onFailureBucket,
      enabled: prop.bool(m, 'enabled', true),
    };
  });

  return { functions, routes, mappings, ...corsOf(tf, ids) };
}

/** The API's cors_configuration, its web origins made local (see localWebEntries). */
function corsOf(tf: TerraformJson, ids: LocalIds): { cors?: CorsModel } {
  const [api] = resources(tf, 'aws_apigatewayv2_api');
  const config = api ? prop.block(api, 'cors_configuration') : undefined;
  if (!api || !config) return {};
  const r: TerraformResource = { ...api, values: config };
  const maxAge = prop.num(r, 'max_age', -1);
  return {
    cors: {
      allowOrigins: localWebEntries(prop.strs(r, 'allow_origins'), ids.webUrl && originOf(ids.webUrl)),
      allowMethods: prop.strs(r, 'allow_methods'),
      allowHeaders: prop.strs(r, 'allow_headers'),
      exposeHeaders: prop.strs(r, 'expose_headers'),
      ...(maxAge >= 0 ? { maxAge } : {}),
      allowCredentials: prop.bool(r, 'allow_credentials', false),
    },
  };
}
