// One Lambda execution environment: loads a function bundle once (its cold start) and then
// serves one invocation at a time, like a Lambda instance. Plain JS so that it runs in a
// worker thread without a TypeScript loader. Its process.env is the function's own (Worker `env`).

import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';

const { modulePath, exportName, functionName, memoryMb, region, accountId } = workerData;

const mod = await import(pathToFileURL(modulePath).href);
const handler = mod[exportName] ?? mod.default?.[exportName];
if (typeof handler !== 'function') {
  throw new Error(`Handler "${exportName}" is not exported by ${modulePath}`);
}

parentPort.on('message', async ({ id, event, deadline, requestId }) => {
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:${accountId}:function:${functionName}`,
    memoryLimitInMB: String(memoryMb),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/[$LATEST]${requestId.replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
  try {
    const result = await handler(event, context);
    parentPort.postMessage({ id, ok: true, result: result === undefined ? null : result });
  } catch (error) {
    parentPort.postMessage({
      id,
      ok: false,
      error: {
        errorType: error?.name ?? 'Error',
        errorMessage: error?.message ?? String(error),
      },
    });
  }
});
parentPort.postMessage({ ready: true });
