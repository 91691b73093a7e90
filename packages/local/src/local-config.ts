import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalError } from './errors';

/** `.streamdrop/local.json`: how scripts, tests and the CLI find the running local stack. */
export interface LocalConfig {
  /** The web client, `http://localhost:<port>/` (it reads its endpoints from `<webUrl>config.json`). */
  webUrl: string;
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
  /** dynalite, and the tables the stack declares (the status of uploads). */
  dynamodb?: { endpoint: string; tables: string[] };
  users: { demo: { username: string; password: string }; admin: { username: string; password: string } };
  adminGroup?: string;
  /** Where the runtime keeps its metrics and alarm states (`streamdrop stats`), and how often it rewrites them. */
  stats?: { file: string; intervalMs: number; alarms: string[] };
  pid: number;
  startedAt: string;
  /** Sections added by runtime extensions, by name: fault injection adds `faults`. */
  [section: string]: unknown;
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

/** The running stack's local.json, or undefined while there is none (written whole, by a rename). */
export function findLocalConfig(stateDir: string): LocalConfig | undefined {
  const file = localConfigPath(stateDir);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as LocalConfig) : undefined;
}

export function readLocalConfig(stateDir: string): LocalConfig {
  const config = findLocalConfig(stateDir);
  if (!config) {
    throw new LocalError(
      `${localConfigPath(stateDir)} not found: the local stack is not running. Start it with \`npm start\` in another terminal.`,
    );
  }
  return config;
}
