import { join } from 'node:path';
import { App } from 'cdktf';
import { offlineEnv, writeOfflineOverride } from '../../scripts/src/lib/offline';
import {
  prepareCliConfig,
  runTerraform,
  type TerraformResult,
  terraformEnv,
} from '../../scripts/src/lib/terraform';
import { StreamdropStack } from '../src/stack';
import { newOutdir, tempDir, testConfig } from './helpers';

/** toPlanSuccessfully hides terraform's own words; this keeps them in the failure message. */
function mustSucceed(what: string, result: TerraformResult): TerraformResult {
  if (result.code !== 0) {
    throw new Error(
      `terraform ${what} exited ${result.code}\n--- stderr ---\n${result.stderr}\n--- stdout ---\n${result.stdout}`,
    );
  }
  return result;
}

interface PlanJson {
  resource_changes: { address: string; mode: string; type: string; change: { actions: string[] } }[];
}

describe('offline terraform plan of the synthesized stack', () => {
  it('initializes (from the provider mirror when there is one) and plans to create the whole pipeline', async () => {
    // The real app, written to disk as `pnpm synth` does, with fake bundles.
    const outdir = newOutdir();
    const config = testConfig({ CDKTF_OUTDIR: outdir });
    const app = new App({ outdir });
    new StreamdropStack(app, config);
    app.synth();
    const stackDir = join(outdir, 'stacks', config.stackName);

    // The same pieces `pnpm plan:offline` uses: CLI config (+ mirror), override, fake credentials.
    const cli = prepareCliConfig(tempDir(), { awsProviderVersion: '5.100.0' });
    writeOfflineOverride(stackDir);
    const env = offlineEnv(terraformEnv(process.env, cli.path));
    const run = (args: string[]) => runTerraform(args, { cwd: stackDir, env, capture: true });

    mustSucceed('init', await run(['init', '-input=false', '-no-color']));
    mustSucceed('plan', await run(['plan', '-input=false', '-no-color', '-out=plan.tfplan']));
    const shown = mustSucceed('show', await run(['show', '-json', 'plan.tfplan']));

    const plan = JSON.parse(shown.stdout) as PlanJson;
    const managed = plan.resource_changes.filter((c) => c.mode === 'managed');
    expect(managed.filter((c) => c.change.actions.join() !== 'create').map((c) => c.address)).toEqual([]);

    const countByType: Record<string, number> = {};
    for (const change of managed) countByType[change.type] = (countByType[change.type] ?? 0) + 1;
    expect(countByType).toEqual({
      aws_apigatewayv2_api: 1,
      aws_apigatewayv2_authorizer: 1,
      aws_apigatewayv2_integration: 2,
      aws_apigatewayv2_route: 9,
      aws_apigatewayv2_stage: 1,
      aws_cloudfront_distribution: 1,
      aws_cloudfront_origin_access_control: 1,
      aws_cloudfront_response_headers_policy: 1,
      aws_cloudwatch_dashboard: 1,
      aws_cloudwatch_log_group: 4,
      aws_cloudwatch_metric_alarm: 11,
      aws_cognito_user_group: 1,
      aws_cognito_user_pool: 1,
      aws_cognito_user_pool_client: 1,
      aws_cognito_user_pool_domain: 1,
      aws_dynamodb_table: 1,
      aws_iam_role: 3,
      aws_iam_role_policy: 3,
      aws_kinesis_stream: 1,
      aws_lambda_event_source_mapping: 1,
      aws_lambda_function: 3,
      aws_lambda_permission: 9,
      aws_s3_bucket: 3,
      aws_s3_bucket_cors_configuration: 1,
      aws_s3_bucket_lifecycle_configuration: 3,
      aws_s3_bucket_metric: 1,
      aws_s3_bucket_ownership_controls: 3,
      aws_s3_bucket_policy: 3,
      aws_s3_bucket_public_access_block: 3,
      aws_s3_bucket_server_side_encryption_configuration: 3,
      aws_s3_bucket_versioning: 3,
      // The web client: its page, its config.json, its script (the fake build has no stylesheet).
      aws_s3_object: 3,
      aws_sns_topic: 1,
    });
    expect(managed).toHaveLength(85);
  }, 180_000);
});
