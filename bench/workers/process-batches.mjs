// Bench worker, run by bare `node` in a fresh process: imports a processor bundle (ours or the
// seed-style baseline), feeds it the Kinesis batches of a manifest one after another, as one
// shard's event source mapping does, and reports timing, CPU and peak RSS over IPC.
//   node process-batches.mjs <bundle> <manifest.json>
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [bundle, manifestPath] = process.argv.slice(2);
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));

const context = (n) => ({
  functionName: 'bench-processor',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:bench-processor',
  memoryLimitInMB: '512',
  awsRequestId: `bench-${n}`,
  logGroupName: '/aws/lambda/bench-processor',
  logStreamName: 'bench',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 60_000,
  done() {},
  fail() {},
  succeed() {},
});

async function run() {
  const { handler } = await import(pathToFileURL(bundle).href);
  let failures = 0;
  const invoke = async (records, n) => {
    const result = await handler({ Records: records }, context(n));
    failures += result?.batchItemFailures?.length ?? 0;
  };
  for (let i = 0; i < manifest.warmup.length; i++) await invoke(manifest.warmup[i], `warmup-${i}`);
  failures = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  let records = 0;
  for (let i = 0; i < manifest.batches.length; i++) {
    await invoke(manifest.batches[i], i);
    records += manifest.batches[i].length;
  }
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { ok: true, records, ms, failures, cpuUs: used.user + used.system };
}

run()
  .catch((error) => ({ ok: false, error: `${error?.name ?? 'Error'}: ${error?.message ?? error}` }))
  .then((result) => {
    process.send({ ...result, maxRssKb: process.resourceUsage().maxRSS });
    process.disconnect();
  });
