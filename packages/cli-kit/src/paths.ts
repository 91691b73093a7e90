import { isAbsolute, resolve } from 'node:path';
import type { Args } from './spec';

/**
 * The folder the person ran the command from. `npm start` and `pnpm <script>` run scripts from
 * the workspace root, not from where they were typed: npm and pnpm say where that was in
 * INIT_CWD (pnpm sets it to the folder it was started in, so a wrapper that starts pnpm from the
 * root passes the person's folder on in STREAMDROP_CALLER_CWD). Without either, the process's own.
 */
export function callerCwd(env: NodeJS.ProcessEnv = process.env): string {
  const given = env.STREAMDROP_CALLER_CWD || env.INIT_CWD;
  return given && isAbsolute(given) ? given : process.cwd();
}

/** A path given on the command line (or in `env`), resolved once against the caller's folder. */
export function resolveCallerPath(path: string, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(callerCwd(env), path);
}

/**
 * A path flag's value — or, when not given, the environment variable `variable`'s — as an absolute
 * path resolved against the caller's folder (callerCwd); undefined when neither is set.
 */
export function pathFlag(
  args: Args,
  name: string,
  variable?: string,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const value = args.flags[name];
  const raw = typeof value === 'string' ? value : variable ? env[variable] || undefined : undefined;
  return raw === undefined ? undefined : resolveCallerPath(raw, env);
}
