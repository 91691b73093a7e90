import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FunctionModel } from '../types';
import type { WorkerData } from './transport';

/** `index.handler` -> module `index`, export `handler`. */
export function splitHandler(handler: string): [string, string] {
  const dot = handler.lastIndexOf('.');
  return dot < 0 ? [handler, 'handler'] : [handler.slice(0, dot), handler.slice(dot + 1)];
}

export interface BundleContext {
  /** Environment every function gets before its own (credentials, endpoints, region). */
  baseEnv: Record<string, string>;
  region: string;
  accountId: string;
}

/**
 * What an execution environment of `fn` loads and the environment it runs with, as Lambda sets
 * them up: the handler's module in the unpacked bundle (`codeDir`), the function's own
 * variables over the base ones, and Lambda's reserved variables.
 */
export function bundleEnvironment(
  fn: FunctionModel,
  codeDir: string,
  context: BundleContext,
): { env: Record<string, string>; workerData: WorkerData } {
  const [moduleName = 'index', exportName = 'handler'] = splitHandler(fn.handler);
  const modulePath = [`${moduleName}.mjs`, `${moduleName}.js`, `${moduleName}.cjs`]
    .map((file) => join(codeDir, file))
    .find((path) => existsSync(path));
  if (!modulePath) throw new Error(`Cannot find module '${moduleName}' in the bundle of ${fn.name}`);
  return {
    env: {
      ...context.baseEnv,
      ...fn.environment,
      AWS_LAMBDA_FUNCTION_NAME: fn.name,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
      AWS_REGION: context.region,
      AWS_DEFAULT_REGION: context.region,
      LAMBDA_TASK_ROOT: codeDir,
    },
    workerData: {
      modulePath,
      exportName,
      functionName: fn.name,
      memoryMb: fn.memoryMb,
      region: context.region,
      accountId: context.accountId,
    },
  };
}
