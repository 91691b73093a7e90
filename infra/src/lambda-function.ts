import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { AssetType, TerraformAsset } from 'cdktf';
import { Construct } from 'constructs';

/** One IAM statement: exact actions on exact resources (no wildcards where an ARN can be named). */
export interface Grant {
  readonly sid: string;
  readonly actions: readonly string[];
  readonly resources: readonly string[];
}

/**
 * What a function needs to use one resource: the env var that names it and the permission to
 * touch it. Resources hand these out (see storage.ts, stream.ts) so that the two never drift apart.
 */
export interface Binding {
  readonly env?: Readonly<Record<string, string>>;
  readonly grants?: readonly Grant[];
}

export interface NodeFunctionOptions {
  /** Function name; also names its role and log group. */
  readonly name: string;
  readonly description?: string;
  /** esbuild output folder holding `index.mjs`; zipped as it is. */
  readonly bundleDir: string;
  /** Default `index.handler`. */
  readonly handler?: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  readonly logRetentionDays: number;
  /** Plain settings; resource names come through `bindings`. */
  readonly environment?: Readonly<Record<string, string>>;
  readonly bindings?: readonly Binding[];
  /** Default arm64: cheaper per ms than x86_64 and our bundles are pure JavaScript. */
  readonly architecture?: 'arm64' | 'x86_64';
}

export const LAMBDA_RUNTIME = 'nodejs22.x';

/**
 * What the Lambda runtime's active tracing needs: X-Ray takes no resource-level permissions, so
 * these two actions can only be granted on "*" (the policy's WILDCARD_RESOURCE_EXCEPTIONS).
 */
export const XRAY_WRITE_ACTIONS = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'] as const;

/** The esbuild output a function needs is not there: the fix is `pnpm build`. */
export class MissingBundleError extends Error {
  override readonly name = 'MissingBundleError';
  constructor(functionName: string, expected: string) {
    super(
      `Lambda bundle for ${functionName} not found: expected ${expected}. Run \`pnpm build\` first (or point STREAMDROP_BUNDLES_DIR at the bundles).`,
    );
  }
}

/**
 * A Node.js Lambda function with its own role, inline least-privilege policy and log group.
 * Defaults: nodejs22.x, arm64, source maps on, log retention set, handler `index.handler`,
 * X-Ray active tracing, and JSON log format (the runtime's own lines too, not only Powertools').
 */
export class NodeFunction extends Construct {
  readonly function: LambdaFunction;
  readonly role: IamRole;
  readonly policy: IamRolePolicy;
  readonly logGroup: CloudwatchLogGroup;
  readonly asset: TerraformAsset;
  readonly environment: Readonly<Record<string, string>>;
  readonly grants: readonly Grant[];

  constructor(scope: Construct, id: string, options: NodeFunctionOptions) {
    super(scope, id);
    const { name } = options;

    if (!existsSync(join(options.bundleDir, 'index.mjs'))) {
      throw new MissingBundleError(name, join(options.bundleDir, 'index.mjs'));
    }

    this.logGroup = new CloudwatchLogGroup(this, 'log-group', {
      name: `/aws/lambda/${name}`,
      retentionInDays: options.logRetentionDays,
    });

    this.environment = mergeEnvironment(name, [
      { NODE_OPTIONS: '--enable-source-maps' },
      options.environment ?? {},
      ...(options.bindings ?? []).map((b) => b.env ?? {}),
    ]);
    this.grants = [
      {
        sid: 'WriteOwnLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [`${this.logGroup.arn}:*`],
      },
      { sid: 'WriteTraces', actions: [...XRAY_WRITE_ACTIONS], resources: ['*'] },
      ...(options.bindings ?? []).flatMap((b) => b.grants ?? []),
    ];

    this.role = new IamRole(this, 'role', {
      name: `${name}-role`,
      description: `Execution role of the ${name} Lambda function`,
      assumeRolePolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
        ],
      }),
    });

    this.policy = new IamRolePolicy(this, 'policy', {
      name: `${name}-policy`,
      role: this.role.id,
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: this.grants.map((g) => ({
          Sid: g.sid,
          Effect: 'Allow',
          Action: [...g.actions],
          Resource: [...g.resources],
        })),
      }),
    });

    this.asset = new TerraformAsset(this, 'bundle', { path: options.bundleDir, type: AssetType.ARCHIVE });

    this.function = new LambdaFunction(this, 'function', {
      functionName: name,
      description: options.description,
      role: this.role.arn,
      runtime: LAMBDA_RUNTIME,
      architectures: [options.architecture ?? 'arm64'],
      handler: options.handler ?? 'index.handler',
      filename: this.asset.path,
      sourceCodeHash: this.asset.assetHash,
      timeout: options.timeoutSeconds,
      memorySize: options.memoryMb,
      environment: { variables: { ...this.environment } },
      // The runtime's own active tracing: a segment per invocation with its init and duration,
      // joined to API Gateway's trace id; no tracing SDK in the bundle (docs/performance.md).
      tracingConfig: { mode: 'Active' },
      // START/END/REPORT and anything written through console become JSON lines too, so that one
      // Logs Insights query reads every line of a log group; Powertools' lines already are.
      loggingConfig: { logFormat: 'JSON' },
      // The log group must exist (with its retention) before Lambda creates one without it; the
      // policy must be attached before an event source mapping checks the role's permissions.
      dependsOn: [this.logGroup, this.policy],
    });
  }

  get functionName(): string {
    return this.function.functionName;
  }

  get arn(): string {
    return this.function.arn;
  }

  get invokeArn(): string {
    return this.function.invokeArn;
  }
}

/** Merges env maps, refusing a variable set twice: two bindings must never fight over one name. */
function mergeEnvironment(
  name: string,
  parts: readonly Readonly<Record<string, string>>[],
): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const part of parts) {
    for (const [key, value] of Object.entries(part)) {
      if (key in merged) throw new Error(`Lambda function ${name}: environment variable ${key} is set twice`);
      merged[key] = value;
    }
  }
  return merged;
}
