// `npm test` (through the web package's test script) and .ci/run: makes sure the browser tests
// have a Chromium, installing one where the machine can; otherwise stops with one line saying
// exactly what to install. The browser tests are never skipped for want of one.
import { chromiumVersion, ensureChromium, MISSING_CHROMIUM } from './chromium';

const found = ensureChromium((line) => console.log(`chromium: ${line}`));
const version = found && chromiumVersion(found.path);
if (!found || !version) {
  console.error(`error: ${found ? `${found.path} does not run (${found.source}); ` : ''}${MISSING_CHROMIUM}`);
  process.exit(1);
}
console.log(`chromium: ${found.path} (${found.source}): ${version}`);
