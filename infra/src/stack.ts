import { join, relative } from 'node:path';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { hostedUiEndpoints, ROUTES, STACK_OUTPUTS, WEB_SCOPES } from '@streamdrop/config';
import { Lazy, LocalBackend, S3Backend, TerraformOutput, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { Api } from './api';
import { Auth } from './auth';
import type { StreamdropConfig } from './config';
import { Functions } from './functions';
import type { NodeFunction } from './lambda-function';
import { Monitoring } from './monitoring';
import { Storage } from './storage';
import { Stream } from './stream';
import { UploadsTable } from './uploads-table';
import { Web } from './web';

/** Where the stack's JSON lands: cdktf writes `<outdir>/stacks/<stack id>/cdk.tf.json`. */
export function stackDir(outdir: string, stackName: string): string {
  return join(outdir, 'stacks', stackName);
}

/** The whole pipeline for one stage: `streamdrop-<stage>`. */
export class StreamdropStack extends TerraformStack {
  readonly auth: Auth;
  readonly storage: Storage;
  readonly stream: Stream;
  readonly functions: Functions;
  readonly api: Api;
  readonly monitoring: Monitoring;
  readonly uploadsTable: UploadsTable;
  /** The web client on S3 + CloudFront, unless STREAMDROP_WEB_HOSTING is false. */
  readonly web: Web | undefined;

  constructor(scope: Construct, config: StreamdropConfig) {
    super(scope, config.stackName);

    new AwsProvider(this, 'aws', {
      region: config.region,
      defaultTags: [{ tags: { project: 'streamdrop', stage: config.stage } }],
    });
    this.configureBackend(config);

    // The web client first: its URL is a callback of the app client and an origin of the API's
    // CORS. What it needs of later parts (the data bucket's name) it reads lazily, at synth.
    this.web = config.web.hosting
      ? new Web(this, 'web', {
          stage: config.stage,
          region: config.region,
          dir: config.web.dir,
          authOrigin: `https://${config.auth.domainPrefix}.auth.${config.region}.amazoncognito.com`,
          dataOrigin: Lazy.stringValue({
            produce: () => `https://${this.storage.data.name}.s3.${config.region}.amazonaws.com`,
          }),
        })
      : undefined;
    const webUrls = this.web ? [this.web.url] : [];
    // Browsers of these origins call the API and send upload sessions' bytes to the data bucket.
    const webOrigins = [...config.api.corsOrigins, ...(this.web ? [this.web.origin] : [])];
    this.auth = new Auth(this, 'auth', {
      stage: config.stage,
      region: config.region,
      ...config.auth,
      callbackUrls: [...config.auth.callbackUrls, ...webUrls],
      logoutUrls: [...config.auth.logoutUrls, ...webUrls],
    });
    this.stream = new Stream(this, 'stream', { stage: config.stage });
    this.storage = new Storage(this, 'storage', {
      stage: config.stage,
      forceDestroy: config.forceDestroy,
      idempotencyTtlSeconds: config.idempotencyTtlSeconds,
      eventLifetime: {
        streamRetentionHours: this.stream.retentionHours,
        maxRecordAgeSeconds: config.eventSource.maxRecordAgeSeconds,
      },
      corsOrigins: webOrigins,
    });
    this.uploadsTable = new UploadsTable(this, 'uploads-table', { stage: config.stage });
    this.functions = new Functions(this, 'functions', {
      stage: config.stage,
      bundlesDir: config.bundlesDir,
      storage: this.storage,
      stream: this.stream,
      uploadsTable: this.uploadsTable,
      maxDirectUploadBytes: config.maxDirectUploadBytes,
      uploadUrlTtlSeconds: config.uploadUrlTtlSeconds,
      logRetentionDays: config.logRetentionDays,
      maxUploadBytes: config.maxUploadBytes,
      idempotencyTtlSeconds: config.idempotencyTtlSeconds,
      processorConcurrency: config.processorConcurrency,
      transform: config.transform,
      eventSource: config.eventSource,
      adminGroupName: this.auth.adminGroup.name,
      proxyStreamArns: config.proxyStreamArns,
    });
    // Every route of ROUTES, each with the function that serves it. The administrators' Kinesis
    // proxy checks membership of the admin group from the token's claims (route scopes would not
    // do: USER_PASSWORD_AUTH tokens carry only aws.cognito.signin.user.admin).
    const servedBy: Record<keyof typeof ROUTES, NodeFunction> = {
      createUpload: this.functions.upload,
      completeUpload: this.functions.upload,
      getUpload: this.functions.upload,
      listUploads: this.functions.upload,
      deleteUpload: this.functions.upload,
      listStreams: this.functions.streams,
      describeStream: this.functions.streams,
      putRecord: this.functions.streams,
      putRecords: this.functions.streams,
    };
    this.api = new Api(this, 'api', {
      stage: config.stage,
      routes: (Object.keys(ROUTES) as (keyof typeof ROUTES)[]).map((route) => ({
        routeKey: ROUTES[route],
        function: servedBy[route],
      })),
      issuer: this.auth.issuer,
      audience: [this.auth.client.id],
      corsOrigins: webOrigins,
      throttleBurstLimit: config.api.throttleBurstLimit,
      throttleRateLimit: config.api.throttleRateLimit,
      logRetentionDays: config.logRetentionDays,
    });

    this.monitoring = new Monitoring(this, 'monitoring', {
      stage: config.stage,
      region: config.region,
      functions: this.functions,
      apiId: this.api.api.id,
      streamName: this.stream.name,
      failuresBucket: this.storage.failures,
      alarms: config.alarms,
    });

    // The page's runtime config, from the stack's own values: written at deploy, never built in.
    this.web?.publish({
      config: {
        version: 1,
        apiUrl: this.api.url,
        region: config.region,
        auth: {
          clientId: this.auth.client.id,
          issuer: this.auth.issuer,
          ...hostedUiEndpoints(`https://${this.auth.hostedUiDomain}`, { logout: true, revoke: true }),
          scopes: [...WEB_SCOPES],
        },
        adminGroup: this.auth.adminGroup.name,
      },
    });

    // Every output of STACK_OUTPUTS, by its name there (the CLI and the scripts read them back).
    // Output ids share the stack's construct namespace: snake_case keeps them apart from the
    // kebab-case construct ids above.
    const outputs: Record<keyof typeof STACK_OUTPUTS, { value: string; description: string }> = {
      apiUrl: { value: this.api.url, description: 'Base URL of the HTTP API' },
      region: { value: config.region, description: 'AWS region of the stack' },
      userPoolId: { value: this.auth.userPool.id, description: 'Cognito user pool id' },
      userPoolClientId: { value: this.auth.client.id, description: 'Cognito app client id (public)' },
      cognitoIssuer: { value: this.auth.issuer, description: 'Issuer required by the JWT authorizer' },
      hostedUiDomain: { value: this.auth.hostedUiDomain, description: 'Cognito hosted UI host name' },
      adminGroup: { value: this.auth.adminGroup.name, description: 'Cognito group of administrators' },
      dataBucket: { value: this.storage.data.name, description: 'Bucket of uploads/ and processed/' },
      failuresBucket: { value: this.storage.failures.name, description: 'Bucket of failure records' },
      streamName: { value: this.stream.name, description: 'Kinesis stream of upload events' },
      streamArn: { value: this.stream.arn, description: 'ARN of the upload event stream' },
      uploadFunctionName: { value: this.functions.upload.functionName, description: 'Upload function' },
      processorFunctionName: {
        value: this.functions.processor.functionName,
        description: 'Stream processor function',
      },
      streamsFunctionName: {
        value: this.functions.streams.functionName,
        description: 'Kinesis proxy function for administrators',
      },
      alarmTopicArn: { value: this.monitoring.topic.arn, description: 'SNS topic every alarm notifies' },
      webUrl: {
        value: this.web?.url ?? '',
        description: 'The web client (CloudFront); empty when STREAMDROP_WEB_HOSTING is false',
      },
    };
    for (const [key, output] of Object.entries(outputs)) {
      new TerraformOutput(this, STACK_OUTPUTS[key as keyof typeof STACK_OUTPUTS], output);
    }
  }

  private configureBackend(config: StreamdropConfig): void {
    const { state } = config;
    if (state.bucket) {
      const backend = new S3Backend(this, {
        bucket: state.bucket,
        key: `streamdrop/${config.stage}/terraform.tfstate`,
        region: state.bucketRegion,
        encrypt: true,
      });
      // S3-native state locking (Terraform >= 1.10); cdktf 0.21's S3Backend has no such option.
      backend.addOverride('use_lockfile', true);
      return;
    }
    // Terraform resolves a relative path from the stack folder where it runs. Relative, the
    // path is the same on every machine; outside the synth output, it survives re-synthesis.
    new LocalBackend(this, {
      path: relative(
        stackDir(config.outdir, config.stackName),
        join(state.dir, `${config.stackName}.tfstate`),
      ),
    });
  }
}
