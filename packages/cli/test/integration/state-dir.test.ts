/**
 * `npm start -- --state-dir <relative>` from a folder of the person's choosing: the path is
 * resolved once, against that folder; every emulator keeps its data under it; `--reset` leaves
 * nothing of the old data readable, and nothing is ever written anywhere else.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import {
  type LocalConfig,
  localPackageDir,
  localS3Client,
  repoRoot,
  signInLocalUser,
} from '@streamdrop/local';
import { eventually } from '@streamdrop/local/testing';
import { freePorts, portFlags, type StartedProcess, startProcess } from '../support/start-process';

jest.setTimeout(180_000);

const caller = mkdtempSync(join(tmpdir(), 'streamdrop-caller-'));
const relative = `state-${process.pid}-${Date.now().toString(36)}`;
const running: StartedProcess[] = [];

afterAll(async () => {
  await Promise.all(running.map((p) => p.stop()));
  rmSync(caller, { recursive: true, force: true });
  // Where a relative state folder used to leak to: never left behind by this test either.
  for (const leak of [join(localPackageDir(), relative), join(repoRoot(), relative)])
    rmSync(leak, { recursive: true, force: true });
});

async function upload(config: LocalConfig, filename: string, content: string): Promise<string> {
  const { id } = await signInLocalUser(config);
  const response = await fetch(`${config.apiUrl}/uploads`, {
    method: 'POST',
    headers: { authorization: `Bearer ${id}`, 'content-type': 'application/json' },
    body: JSON.stringify({ filename, content }),
  });
  expect(response.status).toBe(202);
  return ((await response.json()) as { file_key: string }).file_key;
}

describe('npm start --state-dir with a relative path', () => {
  it('keeps every emulator’s data under the one folder, resolved from where it was typed, and --reset leaves nothing behind', async () => {
    const ports = await freePorts();
    const stateDir = join(caller, relative);

    const first = startProcess({
      cwd: caller,
      args: ['--state-dir', relative, ...portFlags(ports), '--quiet'],
    });
    running.push(first);
    const config = await first.ready(stateDir);
    const s3 = localS3Client(config.s3.endpoint, config.region);
    const data = config.s3.buckets.data ?? '';
    const key = await upload(config, 'kept.txt', 'state in one place');
    const processed = key.replace(/^uploads\//, 'processed/');
    await eventually(() => s3.send(new HeadObjectCommand({ Bucket: data, Key: processed })));
    s3.destroy();

    // Every emulator wrote under <caller>/<relative>, and nowhere else.
    for (const emulator of ['cognito', 's3', 'kinesis']) {
      expect(readdirSync(join(stateDir, emulator)).length).toBeGreaterThan(0);
    }
    expect(readdirSync(caller)).toEqual([relative]);
    expect(existsSync(join(localPackageDir(), relative))).toBe(false);
    expect(existsSync(join(repoRoot(), relative))).toBe(false);
    await first.stop();

    // --reset, from the same folder and with the same relative path.
    const second = startProcess({
      cwd: caller,
      args: ['--state-dir', relative, '--reset', ...portFlags(ports), '--quiet'],
    });
    running.push(second);
    const fresh = await second.ready(stateDir);
    const s3again = localS3Client(fresh.s3.endpoint, fresh.region);
    try {
      for (const Key of [key, processed]) {
        await expect(s3again.send(new GetObjectCommand({ Bucket: data, Key }))).rejects.toMatchObject({
          name: 'NoSuchKey',
        });
      }
      const listed = await s3again.send(new ListObjectsV2Command({ Bucket: data }));
      expect(listed.KeyCount ?? 0).toBe(0);
      // New users: the old passwords are gone with the rest.
      expect(fresh.users.demo.password).not.toBe(config.users.demo.password);
      // The fresh stack works (its Kinesis stream included: a split state once failed here).
      await upload(fresh, 'after-reset.txt', 'fresh');
    } finally {
      s3again.destroy();
    }
    expect(readdirSync(caller)).toEqual([relative]);
    expect(existsSync(join(localPackageDir(), relative))).toBe(false);
    expect(existsSync(join(repoRoot(), relative))).toBe(false);
    await second.stop();
  });
});
