import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { lockFileOf } from '../src/lib/paths';
import {
  confirm,
  endpointOf,
  prepareStackFolders,
  readManifest,
  selectStack,
  stageOf,
  withStage,
} from '../src/lib/stack';

let outdir: string;
beforeEach(() => {
  outdir = mkdtempSync(join(tmpdir(), 'streamdrop-manifest-'));
});
afterEach(() => rmSync(outdir, { recursive: true, force: true }));

function writeManifest(stacks: Record<string, unknown>): void {
  writeFileSync(join(outdir, 'manifest.json'), JSON.stringify({ version: '0.21.0', stacks }));
}

/** A synthesized stack folder and its manifest entry, as cdktf writes them. */
function stackEntry(name: string) {
  mkdirSync(join(outdir, 'stacks', name), { recursive: true });
  writeFileSync(
    join(outdir, 'stacks', name, 'cdk.tf.json'),
    JSON.stringify({ terraform: { required_providers: { aws: { source: 'aws', version: '5.100.0' } } } }),
  );
  return {
    name,
    workingDirectory: `stacks/${name}`,
    synthesizedStackPath: `stacks/${name}/cdk.tf.json`,
  };
}

describe('readManifest', () => {
  it('finds every stack folder and the pinned aws provider version', () => {
    writeManifest({
      'streamdrop-dev': stackEntry('streamdrop-dev'),
      'streamdrop-prod': stackEntry('streamdrop-prod'),
    });
    expect(readManifest(outdir)).toEqual(
      ['streamdrop-dev', 'streamdrop-prod'].map((name) => ({
        stackName: name,
        stackDir: join(outdir, 'stacks', name),
        stackFile: join(outdir, 'stacks', name, 'cdk.tf.json'),
        awsProviderVersion: '5.100.0',
      })),
    );
  });

  it('fails when synth wrote no manifest', () => {
    expect(() => readManifest(outdir)).toThrow(`${join(outdir, 'manifest.json')} not found`);
  });

  it('fails when the manifest lists no stack', () => {
    writeManifest({});
    expect(() => readManifest(outdir)).toThrow('lists no stack');
  });
});

describe('selectStack', () => {
  it('picks the stack of a stage, and names the stacks there are when it is missing', () => {
    writeManifest({
      'streamdrop-dev': stackEntry('streamdrop-dev'),
      'streamdrop-prod': stackEntry('streamdrop-prod'),
    });
    const stacks = readManifest(outdir);
    expect(selectStack(stacks, 'prod').stackName).toBe('streamdrop-prod');
    expect(() => selectStack(stacks, 'qa')).toThrow(
      'no stack streamdrop-qa was synthesized (stacks: streamdrop-dev, streamdrop-prod)',
    );
  });
});

describe('prepareStackFolders', () => {
  const root = join(__dirname, '..', '..');

  it('removes every Terraform file but the synthesized one: overrides above all', () => {
    writeManifest({ 'streamdrop-dev': stackEntry('streamdrop-dev') });
    const dir = join(outdir, 'stacks', 'streamdrop-dev');
    const left = ['offline_override.tf.json', 'emulator_override.tf.json', 'override.tf', 'backend.tf.json'];
    for (const name of [...left, 'plan.tfplan', 'terraform.tfstate']) writeFileSync(join(dir, name), '{}');
    const removed = prepareStackFolders(root, readManifest(outdir));
    expect(removed.map((p) => p.slice(p.lastIndexOf('/') + 1)).sort()).toEqual([...left].sort());
    for (const kept of ['cdk.tf.json', 'plan.tfplan', 'terraform.tfstate'])
      expect(existsSync(join(dir, kept))).toBe(true);
  });

  it('copies the committed provider lock file into every stack folder', () => {
    writeManifest({
      'streamdrop-dev': stackEntry('streamdrop-dev'),
      'streamdrop-prod': stackEntry('streamdrop-prod'),
    });
    writeFileSync(join(outdir, 'stacks', 'streamdrop-prod', '.terraform.lock.hcl'), '# stale\n');
    prepareStackFolders(root, readManifest(outdir));
    const committed = readFileSync(lockFileOf(root), 'utf8');
    expect(committed).toContain('provider "registry.terraform.io/hashicorp/aws"');
    for (const stack of ['streamdrop-dev', 'streamdrop-prod'])
      expect(readFileSync(join(outdir, 'stacks', stack, '.terraform.lock.hcl'), 'utf8')).toBe(committed);
  });
});

describe('the committed provider lock file', () => {
  it('pins the aws provider version the stack requires, with a hash for linux_amd64', () => {
    const lock = readFileSync(lockFileOf(join(__dirname, '..', '..')), 'utf8');
    expect(lock).toMatch(/version\s+= "5\.100\.0"/);
    expect(lock).toMatch(/constraints\s+= "5\.100\.0"/);
    expect(lock).toMatch(/"h1:[A-Za-z0-9+/]{43}="/);
  });
});

describe('withStage and stageOf', () => {
  it('sets STREAMDROP_STAGE only when --stage was given', () => {
    expect(withStage({ A: '1' }, 'qa')).toEqual({ A: '1', STREAMDROP_STAGE: 'qa' });
    expect(withStage({ A: '1', STREAMDROP_STAGE: 'dev' }, undefined)).toEqual({
      A: '1',
      STREAMDROP_STAGE: 'dev',
    });
  });

  it('takes --stage, else STREAMDROP_STAGE, else dev', () => {
    expect(stageOf({ STREAMDROP_STAGE: 'prod' }, 'qa')).toBe('qa');
    expect(stageOf({ STREAMDROP_STAGE: ' prod ' })).toBe('prod');
    expect(stageOf({ STREAMDROP_STAGE: '' })).toBe('dev');
  });
});

describe('endpointOf', () => {
  it('takes --endpoint-url, else AWS_ENDPOINT_URL, without a trailing slash', () => {
    expect(endpointOf('http://127.0.0.1:5000/', { AWS_ENDPOINT_URL: 'http://other:1' })).toBe(
      'http://127.0.0.1:5000',
    );
    expect(endpointOf(undefined, { AWS_ENDPOINT_URL: 'http://localhost:4566' })).toBe(
      'http://localhost:4566',
    );
    expect(endpointOf(undefined, { AWS_ENDPOINT_URL: ' ' })).toBeUndefined();
  });

  it('refuses what is not an http(s) URL, naming where it came from', () => {
    expect(() => endpointOf('127.0.0.1:5000', {})).toThrow(
      '--endpoint-url must be an http(s) URL such as http://127.0.0.1:5000 (got "127.0.0.1:5000")',
    );
    expect(() => endpointOf(undefined, { AWS_ENDPOINT_URL: 'ftp://x' })).toThrow(/^AWS_ENDPOINT_URL must be/);
  });
});

describe('confirm', () => {
  /** A fake terminal: `isTTY` as given, the answer already typed. */
  function terminal(isTTY: boolean, answer = '') {
    const input = Object.assign(new PassThrough(), { isTTY });
    const output = Object.assign(new PassThrough(), { isTTY });
    if (answer) input.end(`${answer}\n`);
    return { input, output };
  }

  it('proceeds without asking with --auto-approve', async () => {
    await expect(confirm('Apply?', { autoApprove: true, ...terminal(false) })).resolves.toBe(true);
  });

  it('refuses without a terminal and says to use --auto-approve', async () => {
    await expect(confirm('Apply?', { autoApprove: false, ...terminal(false) })).rejects.toThrow(
      'no terminal to confirm on. Review the plan above and re-run with --auto-approve (e.g. in CI).',
    );
  });

  it.each([
    ['y', true],
    ['yes', true],
    ['n', false],
    ['', false],
    ['sure', false],
  ])('on a terminal, answering "%s" means %s', async (answer, expected) => {
    const io = terminal(true, answer || ' ');
    await expect(confirm('Apply?', { autoApprove: false, ...io })).resolves.toBe(expected);
  });
});
