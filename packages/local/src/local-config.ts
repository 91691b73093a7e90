import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalError } from './errors';
import type { FaultSettings } from './faults/settings';

/** `.streamdrop/local.json`: how scripts, tests and the CLI find the running local stack. */
export interface LocalConfig {
  apiUrl: string;
  region: string;
  stage: string;
  cognito: { endpoint: string; userPoolId: string; clientId: string; issuer: string };
  s3: {
    endpoint: string;
    accessKeyId: string;
    secretAccessKey: string;
    forcePathStyle: true;
    /** Role -> local bucket name: `data` (alias `uploads`, `processed`), `failures`. */
    buckets: Record<string, string>;
  };
  kinesis: { endpoint: string; streamName: string };
  users: { demo: { username: string; password: string }; admin: { username: string; password: string } };
  adminGroup?: string;
  /** Only when the stack runs with fault injection or the S3 version log. */
  faults?: {
    /** The fault settings (absent when only the version log is on). */
    settings?: FaultSettings;
    /** Functions whose environments may crash. */
    crashTargets?: string[];
    /** The proxies the functions reach S3 and Kinesis through. */
    proxies: { s3: string; kinesis: string };
    /** `s3-versions.jsonl`: every object version the functions wrote. */
    s3VersionLog?: string;
  };
  pid: number;
  startedAt: string;
}

export const localConfigPath = (stateDir: string) => join(stateDir, 'local.json');

export function writeLocalConfig(stateDir: string, config: LocalConfig): void {
  const file = localConfigPath(stateDir);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}

export function removeLocalConfig(stateDir: string): void {
  rmSync(localConfigPath(stateDir), { force: true });
}

export function readLocalConfig(stateDir: string): LocalConfig {
  const file = localConfigPath(stateDir);
  if (!existsSync(file)) {
    throw new LocalError(
      `${file} not found: the local stack is not running. Start it with \`npm start\` in another terminal.`,
    );
  }
  return JSON.parse(readFileSync(file, 'utf8')) as LocalConfig;
}
