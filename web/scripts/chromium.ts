import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';

/**
 * Finding a Chromium for the browser tests, and getting one where the machine can: a system
 * chromium or Chrome on PATH, Playwright's own download, or (as root, with apt-get) the OS
 * package. playwright-core drives whichever it is; it downloads nothing by itself.
 */

export interface FoundChromium {
  readonly path: string;
  /** Where it came from, for the one line the tests print. */
  readonly source: 'STREAMDROP_CHROMIUM' | 'PATH' | 'Playwright download';
}

/** The one line printed when no Chromium can be found or installed. */
export const MISSING_CHROMIUM =
  'the browser tests need Chromium and none was found: install it (Debian/Ubuntu: sudo apt-get install chromium; ' +
  'Fedora: sudo dnf install chromium; macOS: brew install --cask chromium), or run ' +
  '`pnpm --filter @streamdrop/web exec playwright-core install chromium`, or set STREAMDROP_CHROMIUM to a Chrome or Chromium executable';

const NAMES = ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome'];

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && executable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** web/node_modules/playwright-core, found from the working folder (the repository or below it). */
function playwrightCoreDir(start = process.cwd()): string | undefined {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) {
      const pkg = join(dir, 'web', 'node_modules', 'playwright-core');
      return existsSync(join(pkg, 'package.json')) ? pkg : undefined;
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/** Where Playwright keeps its own Chromium build, if it has downloaded one. */
function playwrightChromium(): string | undefined {
  const pkg = playwrightCoreDir();
  if (!pkg) return undefined;
  // Its registry knows the path for this platform and version; ask it in a child, which needs no import here.
  const script = `process.stdout.write(require(${JSON.stringify(pkg)}).chromium.executablePath())`;
  const result = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 30_000 });
  const path = result.status === 0 ? result.stdout.trim() : '';
  return path && existsSync(path) ? path : undefined;
}

/** A usable Chromium, or undefined. STREAMDROP_CHROMIUM, when set, must name one: it is not second-guessed. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): FoundChromium | undefined {
  const chosen = env.STREAMDROP_CHROMIUM?.trim();
  if (chosen) return executable(chosen) ? { path: chosen, source: 'STREAMDROP_CHROMIUM' } : undefined;
  for (const name of NAMES) {
    const path = onPath(name, env);
    if (path) return { path, source: 'PATH' };
  }
  const downloaded = playwrightChromium();
  return downloaded ? { path: downloaded, source: 'Playwright download' } : undefined;
}

/** `chromium --version`, e.g. "Chromium 150.0.7871.1 built on Debian…", or undefined if it does not run. */
export function chromiumVersion(path: string): string | undefined {
  const result = spawnSync(path, ['--headless', '--no-sandbox', '--version'], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

type Step = (log: (line: string) => void) => boolean;

/** As root, with apt-get: Debian's and Ubuntu's package (the package lists are refreshed if needed). */
const osPackage: Step = (log) => {
  if (process.getuid?.() !== 0 || !onPath('apt-get', process.env)) return false;
  const install = () =>
    spawnSync('apt-get', ['install', '-y', '-q', 'chromium'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      timeout: 600_000,
    }).status === 0;
  log('installing the OS package: apt-get install -y chromium');
  if (install()) return true;
  spawnSync('apt-get', ['update', '-q'], { stdio: 'ignore', timeout: 300_000 });
  return install();
};

/** Playwright's own build, where its download servers can be reached. */
const playwrightDownload: Step = (log) => {
  const pkg = playwrightCoreDir();
  if (!pkg) return false;
  const cli = join(pkg, 'cli.js');
  log("downloading Playwright's Chromium: playwright-core install chromium");
  return (
    spawnSync(process.execPath, [cli, 'install', 'chromium'], { stdio: 'ignore', timeout: 300_000 })
      .status === 0
  );
};

/**
 * A Chromium, found or installed: PATH and Playwright's download first; then, as root, the OS
 * package; then Playwright's download. Undefined when nothing worked.
 */
export function ensureChromium(log: (line: string) => void): FoundChromium | undefined {
  const found = findChromium();
  if (found || process.env.STREAMDROP_CHROMIUM?.trim()) return found;
  for (const step of [osPackage, playwrightDownload]) {
    if (step(log)) {
      const installed = findChromium();
      if (installed) return installed;
    }
  }
  return undefined;
}
