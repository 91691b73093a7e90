import { fileURLToPath } from 'node:url';
import { ConfigError } from '@streamdrop/config';
import { App } from 'cdktf';
import { loadConfig } from './config';
import { MissingBundleError } from './lambda-function';
import { StreamdropStack, stackDir } from './stack';

// The CDKTF app: `pnpm synth` (or `cdktf synth`) runs this file; configuration comes from the
// environment (the deploy variables of docs/configuration.md, read by config.ts).
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

try {
  const config = loadConfig(process.env, { repoRoot });
  const app = new App({ outdir: config.outdir });
  new StreamdropStack(app, config);
  app.synth();
  console.log(
    `synthesized ${config.stackName} (${config.region}) -> ${stackDir(config.outdir, config.stackName)}`,
  );
} catch (error) {
  // Errors the user fixes outside the code: the message alone says what to do.
  if (error instanceof ConfigError || error instanceof MissingBundleError) {
    console.error(error.message);
    process.exit(2);
  }
  throw error;
}
