#!/usr/bin/env node
// Run after `npm test` (.ci/run, ci.yml). When moto_server is on the PATH, the apply rehearsal
// and the cdktf deploy test must have run and passed: they leave .state/rehearsal.json and
// .state/cdktf-deploy.json behind. Without moto_server neither can run: the rehearsal's test then
// only checks that `pnpm rehearse` refuses clearly, and the cdktf test only synthesizes.
// Plain Node on purpose, like pnpm.mjs: it must work whatever is installed.
import { accessSync, constants, readFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** What must have run against moto, each leaving a marker: STREAMDROP_*_MARKER moves it (this script's own tests). */
const RUNS = [
  {
    what: 'the apply rehearsal',
    marker: process.env.STREAMDROP_REHEARSAL_MARKER || join(root, '.state', 'rehearsal.json'),
    how: 'Run `npm test` (it runs scripts/test/rehearsal.test.ts), or `pnpm rehearse` to see why it fails.',
    times: (t) => `apply ${t.apply} s, re-plan ${t.replan} s, destroy ${t.destroy} s`,
  },
  {
    what: 'the cdktf deploy test',
    marker: process.env.STREAMDROP_CDKTF_MARKER || join(root, '.state', 'cdktf-deploy.json'),
    how: 'Run `npm test` (it runs scripts/test/cdktf.test.ts), or `cd scripts && npx jest test/cdktf.test.ts` to see why it fails.',
    times: (t) =>
      `cdktf deploy ${t.deploy} s, output ${t.output} s, plan ${t.plan} s, destroy ${t.destroy} s`,
  },
];

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
  console.log(
    'rehearsal check: moto_server is not on the PATH, so the apply rehearsal and the cdktf deploy test could not run here.',
  );
  process.exit(0);
}

let failed = false;
for (const run of RUNS) {
  let result;
  try {
    result = JSON.parse(readFileSync(run.marker, 'utf8'));
  } catch {
    console.error(
      `rehearsal check: moto_server is on the PATH but ${run.what} did not run (no ${run.marker}). ${run.how}`,
    );
    failed = true;
    continue;
  }
  if (result?.ok !== true) {
    console.error(`rehearsal check: ${run.what} did not pass (${run.marker}).`);
    failed = true;
    continue;
  }
  console.log(
    `rehearsal check: ${run.what} passed at ${result.finishedAt} — ${run.times(result.times ?? {})}.`,
  );
}
process.exit(failed ? 1 : 0);
