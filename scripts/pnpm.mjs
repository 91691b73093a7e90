#!/usr/bin/env node
// Entry point for `npm test`, `npm start` and `npm run setup` on a fresh clone: makes sure
// the pnpm version pinned in package.json#packageManager is available (corepack is unreliable
// here), installs the workspace from the lockfile, then runs `pnpm <args>` (with no
// arguments, it stops after the install). Plain Node on purpose: nothing is installed yet
// when this runs.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { packageManager } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const match = /^pnpm@(\d+\.\d+\.\d+)$/.exec(packageManager ?? '');
if (!match) {
  console.error(`package.json#packageManager must be "pnpm@x.y.z", found ${JSON.stringify(packageManager)}`);
  process.exit(1);
}
const version = match[1];
const toolsDir = join(root, '.tools', `pnpm-${version}`);
const binDir = join(toolsDir, 'node_modules', '.bin');
const pnpmBin = join(binDir, process.platform === 'win32' ? 'pnpm.cmd' : 'pnpm');

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

function systemPnpmMatches() {
  const r = spawnSync('pnpm', ['--version'], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() === version;
}

let pnpm = 'pnpm';
const env = { ...process.env };
if (!systemPnpmMatches()) {
  if (!existsSync(pnpmBin)) {
    console.log(`streamdrop: installing pnpm ${version} into .tools/ (first run only)`);
    const code = run('npm', [
      'install',
      '--prefix',
      toolsDir,
      '--no-save',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      `pnpm@${version}`,
    ]);
    if (code !== 0 || !existsSync(pnpmBin)) {
      console.error(
        `streamdrop: could not install pnpm ${version} with npm (exit ${code}). Check access to the npm registry, or install it yourself: npm i -g pnpm@${version}`,
      );
      process.exit(1);
    }
  }
  pnpm = pnpmBin;
  env.PATH = `${binDir}${process.platform === 'win32' ? ';' : ':'}${env.PATH}`;
}

// npm exports its own config as npm_config_* variables, which pnpm would read as its own.
for (const key of Object.keys(env)) {
  if (key.toLowerCase().startsWith('npm_config_')) delete env[key];
}

// Skip the install (1-2 s) when node_modules already matches the lockfile and no
// package.json changed since: `npm start` is run over and over.
function installIsCurrent() {
  const installedLock = join(root, 'node_modules', '.pnpm', 'lock.yaml');
  const modules = join(root, 'node_modules', '.modules.yaml');
  if (!existsSync(installedLock) || !existsSync(modules)) return false;
  if (readFileSync(installedLock, 'utf8') !== readFileSync(join(root, 'pnpm-lock.yaml'), 'utf8'))
    return false;
  const installedAt = statSync(modules).mtimeMs;
  const manifests = ['package.json', 'pnpm-workspace.yaml'];
  for (const parent of ['packages', 'functions']) {
    for (const name of readdirSync(join(root, parent))) manifests.push(join(parent, name, 'package.json'));
  }
  for (const single of ['infra', 'scripts', 'bench', 'web']) manifests.push(join(single, 'package.json'));
  return manifests.every(
    (file) => !existsSync(join(root, file)) || statSync(join(root, file)).mtimeMs <= installedAt,
  );
}

const installCode = installIsCurrent()
  ? 0
  : run(pnpm, ['install', '--frozen-lockfile', '--prefer-offline', '--reporter=append-only'], { env });
if (installCode !== 0) {
  console.error('streamdrop: `pnpm install --frozen-lockfile` failed; see the output above.');
  process.exit(installCode);
}

if (process.argv.length <= 2) {
  console.log(
    pnpm === 'pnpm'
      ? `streamdrop: workspace installed; pnpm ${version} is on your PATH.`
      : `streamdrop: workspace installed. To run pnpm ${version}: export PATH="${binDir}:$PATH"`,
  );
  process.exit(0);
}

// pnpm runs from the root and sets INIT_CWD to it: pass on the folder the person ran npm in, so
// that a relative path they give (`npm start -- --state-dir x`) means what they meant.
env.STREAMDROP_CALLER_CWD ??= process.env.INIT_CWD ?? process.cwd();
const child = spawn(pnpm, process.argv.slice(2), { stdio: 'inherit', cwd: root, env });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 + 1 : 1)));
