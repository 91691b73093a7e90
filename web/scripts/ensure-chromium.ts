// `npm test` (through the web package's test script) and .ci/run: makes sure the browser tests
// have a Chromium, installing one where the machine can; otherwise stops with one line saying
// exactly what to install. The browser tests are never skipped for want of one.
import { chromiumVersion, ensureChromium, MISSING_CHROMIUM } from './chromium';

const chosen = process.env.STREAMDROP_CHROMIUM?.trim();
const found = ensureChromium((line) => console.log(`chromium: ${line}`));
if (chosen && !found) {
  console.error(
    `error: STREAMDROP_CHROMIUM is ${chosen}, which is not an executable: point it at Chrome or Chromium, or unset it`,
  );
  process.exit(1);
}
const version = found && chromiumVersion(found.path);
if (!found || !version) {
  console.error(`error: ${found ? `${found.path} does not run (${found.source}); ` : ''}${MISSING_CHROMIUM}`);
  process.exit(1);
}
console.log(`chromium: ${found.path} (${found.source}): ${version}`);
