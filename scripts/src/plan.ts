import { booleanFlag, command, stringFlag } from '@streamdrop/cli-kit';
import { findRepoRoot } from './lib/paths';
import { endpointOf, initStack, planToFile, prepareStack } from './lib/stack';
import { endpointFlag, stackArgs, stackFlags } from './lib/stack-flags';

command(
  {
    usage: 'pnpm plan [--offline | --endpoint-url <url>] [--stage <name>] [--no-build]',
    summary:
      'Synthesizes the stack, runs terraform init and plan, prints the plan and saves it to cdktf.out/stacks/<stack>/plan.tfplan.',
    flags: {
      offline: {
        type: 'boolean',
        description:
          'plan without an AWS account: fake credentials, no account lookups, throwaway local state in .state/offline-plan',
      },
      ...endpointFlag,
      ...stackFlags('plan'),
    },
    notes: [
      'Without --offline, terraform uses your AWS credentials (AWS_PROFILE, AWS_ACCESS_KEY_ID, SSO, ...)',
      'and the stack state that `cdktf diff` and `cdktf deploy` use too.',
      'Terraform CLI config: .state/terraformrc (TF_CLI_CONFIG_FILE), with the provider mirror when one is found:',
      'STREAMDROP_TF_MIRROR, else the first of /opt/tf-plugins, ~/.terraform.d/plugins, ~/.local/share/terraform/plugins,',
      '/usr/local/share/terraform/plugins, /usr/share/terraform/plugins that holds hashicorp/aws at the pinned',
      'version; with none, providers are downloaded.',
    ],
  },
  async (args) => {
    const started = performance.now();
    const stack = await prepareStack({
      root: findRepoRoot(),
      offline: booleanFlag(args, 'offline'),
      endpoint: booleanFlag(args, 'offline')
        ? stringFlag(args, 'endpoint-url')
        : endpointOf(stringFlag(args, 'endpoint-url')),
      ...stackArgs(args),
    });
    await initStack(stack);
    const plan = await planToFile(stack);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(
      plan.changes
        ? `plan of ${stack.stackName} saved to ${plan.planFile} (${seconds} s)`
        : `${stack.stackName} is up to date (${seconds} s)`,
    );
    return 0;
  },
);
