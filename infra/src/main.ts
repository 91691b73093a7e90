import { fileURLToPath } from 'node:url';
import { ConfigError } from '@streamdrop/config';
import { App } from 'cdktf';
import { loadConfig, loadStages } from './config';
import { MissingBundleError } from './lambda-function';
import { StreamdropStack, stackDir } from './stack';
import { MissingWebBuildError } from './web';

// The CDKTF app: `pnpm synth` and `cdktf synth` run it (through scripts/src/app.ts, which also
// bundles the functions and prepares the stack folders); configuration comes from the
// environment (the deploy variables of docs/configuration.md, read by config.ts). One stack per
// stage of STREAMDROP_STAGES, each named streamdrop-<stage>, so that `cdktf deploy
// streamdrop-prod` picks one by name.
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

try {
  const { stages } = loadStages(process.env);
  // Every stage reads the same variables; only the stage differs.
  const configs = stages.map((stage) =>
    loadConfig({ ...process.env, STREAMDROP_STAGE: stage }, { repoRoot }),
  );
  const app = new App({ outdir: configs[0]?.outdir });
  for (const config of configs) new StreamdropStack(app, config);
  app.synth();
  for (const config of configs) {
    console.log(
      `synthesized ${config.stackName} (${config.region}) -> ${stackDir(config.outdir, config.stackName)}`,
    );
  }
} catch (error) {
  // Errors the user fixes outside the code: the message alone says what to do.
  if (
    error instanceof ConfigError ||
    error instanceof MissingBundleError ||
    error instanceof MissingWebBuildError
  ) {
    console.error(error.message);
    process.exit(2);
  }
  throw error;
}
