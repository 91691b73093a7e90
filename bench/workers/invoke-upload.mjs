// Bench worker, run by bare `node` in a fresh process: imports the upload bundle and invokes its
// handler with valid uploads, `concurrency` at a time, then reports the process's CPU time per
// invocation (after a warm-up) over IPC.
//   node invoke-upload.mjs <bundle> <invocations> <warmup> <concurrency> <contentBytes>
import { pathToFileURL } from 'node:url';

const [bundle, total, warmup, concurrency, contentBytes] = process.argv.slice(2);
const content = 'hello kinesis, héllo wörld ✓ '
  .repeat(Math.ceil(Number(contentBytes) / 32))
  .slice(0, Number(contentBytes));

const context = (n) => ({
  functionName: 'bench-upload',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:bench-upload',
  memoryLimitInMB: '256',
  awsRequestId: `bench-${n}`,
  logGroupName: '/aws/lambda/bench-upload',
  logStreamName: 'bench',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 10_000,
  done() {},
  fail() {},
  succeed() {},
});

const event = (n) => ({
  version: '2.0',
  routeKey: 'POST /uploads',
  rawPath: '/uploads',
  rawQueryString: '',
  headers: { 'content-type': 'application/json' },
  requestContext: {
    accountId: '123456789012',
    apiId: 'bench',
    authorizer: { jwt: { claims: { sub: '0f6e4b1c-2f1a-4d8e-9b7a-2c3d4e5f6a7b' }, scopes: null } },
    domainName: 'bench.example.com',
    domainPrefix: 'bench',
    http: {
      method: 'POST',
      path: '/uploads',
      protocol: 'HTTP/1.1',
      sourceIp: '127.0.0.1',
      userAgent: 'bench',
    },
    requestId: `bench-request-${n}`,
    routeKey: 'POST /uploads',
    stage: '$default',
    time: new Date().toUTCString(),
    timeEpoch: Date.now(),
  },
  body: JSON.stringify({ filename: `bench-${n}.txt`, content }),
  isBase64Encoded: false,
});

async function runAll(handler, count, offset) {
  let next = 0;
  let refused = 0;
  const lane = async () => {
    while (next < count) {
      const n = offset + next++;
      const response = await handler(event(n), context(n));
      if (response.statusCode !== 202) refused += 1;
    }
  };
  await Promise.all(Array.from({ length: Number(concurrency) }, lane));
  return refused;
}

async function run() {
  const { handler } = await import(pathToFileURL(bundle).href);
  await runAll(handler, Number(warmup), 0);
  const cpu = process.cpuUsage();
  const started = performance.now();
  const refused = await runAll(handler, Number(total), Number(warmup));
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { ok: refused === 0, refused, invocations: Number(total), ms, cpuUs: used.user + used.system };
}

run()
  .catch((error) => ({ ok: false, error: `${error?.name ?? 'Error'}: ${error?.message ?? error}` }))
  .then((result) => {
    process.send(result);
    process.disconnect();
  });
