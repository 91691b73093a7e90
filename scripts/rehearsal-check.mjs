#!/usr/bin/env node
// Run after `npm test` (.ci/run, ci.yml). When moto_server is on the PATH, the apply rehearsal
// test must have run and passed: it leaves .state/rehearsal.json behind. Without moto_server
// the rehearsal cannot run, and its test only checks that `pnpm rehearse` refuses clearly.
// Plain Node on purpose, like pnpm.mjs: it must work whatever is installed.
import { accessSync, constants, readFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// STREAMDROP_REHEARSAL_MARKER: another marker file (this script's own tests).
const marker = process.env.STREAMDROP_REHEARSAL_MARKER || join(root, '.state', 'rehearsal.json');

function onPath(name) {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return dir !== '';
    } catch {
      return false;
    }
  });
}

if (!onPath('moto_server')) {
  console.log('rehearsal check: moto_server is not on the PATH, so the apply rehearsal could not run here.');
  process.exit(0);
}

let result;
try {
  result = JSON.parse(readFileSync(marker, 'utf8'));
} catch {
  console.error(
    `rehearsal check: moto_server is on the PATH but the apply rehearsal did not run (no ${marker}). ` +
      'Run `npm test` (it runs scripts/test/rehearsal.test.ts), or `pnpm rehearse` to see why it fails.',
  );
  process.exit(1);
}
if (result?.ok !== true) {
  console.error(`rehearsal check: the apply rehearsal did not pass (${marker}).`);
  process.exit(1);
}
const times = result.times ?? {};
console.log(
  `rehearsal check: passed at ${result.finishedAt} — apply ${times.apply} s, re-plan ${times.replan} s, destroy ${times.destroy} s.`,
);
