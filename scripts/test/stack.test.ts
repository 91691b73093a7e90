import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { confirm, readManifest, withStage } from '../src/lib/stack';

let outdir: string;
beforeEach(() => {
  outdir = mkdtempSync(join(tmpdir(), 'streamdrop-manifest-'));
});
afterEach(() => rmSync(outdir, { recursive: true, force: true }));

function writeManifest(stacks: Record<string, unknown>): void {
  writeFileSync(join(outdir, 'manifest.json'), JSON.stringify({ version: '0.21.0', stacks }));
}

describe('readManifest', () => {
  it('finds the stack folder and the pinned aws provider version', () => {
    mkdirSync(join(outdir, 'stacks', 'streamdrop-dev'), { recursive: true });
    writeFileSync(
      join(outdir, 'stacks', 'streamdrop-dev', 'cdk.tf.json'),
      JSON.stringify({ terraform: { required_providers: { aws: { source: 'aws', version: '5.100.0' } } } }),
    );
    writeManifest({
      'streamdrop-dev': {
        name: 'streamdrop-dev',
        workingDirectory: 'stacks/streamdrop-dev',
        synthesizedStackPath: 'stacks/streamdrop-dev/cdk.tf.json',
      },
    });
    expect(readManifest(outdir)).toEqual({
      stackName: 'streamdrop-dev',
      stackDir: join(outdir, 'stacks', 'streamdrop-dev'),
      stackFile: join(outdir, 'stacks', 'streamdrop-dev', 'cdk.tf.json'),
      awsProviderVersion: '5.100.0',
    });
  });

  it('fails when synth wrote no manifest', () => {
    expect(() => readManifest(outdir)).toThrow(`${join(outdir, 'manifest.json')} not found`);
  });

  it('fails unless the app has exactly one stack', () => {
    writeManifest({});
    expect(() => readManifest(outdir)).toThrow('expected exactly one stack');
  });
});

describe('withStage', () => {
  it('sets STREAMDROP_STAGE only when --stage was given', () => {
    expect(withStage({ A: '1' }, 'qa')).toEqual({ A: '1', STREAMDROP_STAGE: 'qa' });
    expect(withStage({ A: '1', STREAMDROP_STAGE: 'dev' }, undefined)).toEqual({
      A: '1',
      STREAMDROP_STAGE: 'dev',
    });
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
