import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '@streamdrop/cli-kit';
import { buildFunctions, listFunctions } from '../src/build';

let root: string;

function addFunction(name: string, source: string | undefined): void {
  mkdirSync(join(root, 'functions', name, 'src'), { recursive: true });
  if (source !== undefined) writeFileSync(join(root, 'functions', name, 'src', 'handler.ts'), source);
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'streamdrop-build-'));
  writeFileSync(join(root, 'pnpm-workspace.yaml'), 'packages: []\n');
  mkdirSync(join(root, 'functions', 'hello', 'src', 'lib'), { recursive: true });
  writeFileSync(
    join(root, 'functions', 'hello', 'src', 'lib', 'greet.ts'),
    "export const greet = (n: string): string => 'hi ' + n;\n",
  );
  addFunction(
    'hello',
    "import { createHash } from 'node:crypto';\nimport { greet } from './lib/greet';\nexport const handler = async (): Promise<string> => greet('you') + ' ' + createHash('sha256').update('x').digest('hex').slice(0, 4);\n",
  );
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('buildFunctions', () => {
  it('bundles functions/<name>/src/handler.ts into <out>/<name>/index.mjs with a source map', async () => {
    const out = join(root, 'dist', 'functions');
    const [info] = await buildFunctions({ root, outDir: out, quiet: true });
    expect(info).toMatchObject({ name: 'hello', outfile: join(out, 'hello', 'index.mjs') });
    expect(existsSync(join(out, 'hello', 'index.mjs.map'))).toBe(true);
    expect(readFileSync(join(out, 'hello', 'index.mjs'), 'utf8')).toContain(
      '//# sourceMappingURL=index.mjs.map',
    );
  });

  it('reports the size and the gzip size of each bundle', async () => {
    const [info] = await buildFunctions({ root, outDir: join(root, 'out'), quiet: true });
    expect(info?.bytes).toBe(readFileSync(join(root, 'out', 'hello', 'index.mjs')).length);
    expect(info?.gzipBytes).toBeGreaterThan(0);
  });

  it('produces an ES module that Node runs as it is (the way Lambda loads index.mjs)', async () => {
    const [info] = await buildFunctions({ root, outDir: join(root, 'out'), quiet: true });
    const result = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const m = await import(${JSON.stringify(info?.outfile)}); console.log(await m.handler());`,
      ],
      { encoding: 'utf8' },
    );
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('hi you 2d71');
  });

  it('wipes the output folder first so that stale files are never zipped', async () => {
    const stale = join(root, 'out', 'hello', 'old-chunk.mjs');
    mkdirSync(join(root, 'out', 'hello'), { recursive: true });
    writeFileSync(stale, 'stale');
    await buildFunctions({ root, outDir: join(root, 'out'), quiet: true });
    expect(existsSync(stale)).toBe(false);
  });

  it('builds only the functions asked for, and refuses unknown names', async () => {
    addFunction('other', 'export const handler = async () => 1;\n');
    const built = await buildFunctions({ root, outDir: join(root, 'out'), only: ['other'], quiet: true });
    expect(built.map((b) => b.name)).toEqual(['other']);
    await expect(
      buildFunctions({ root, outDir: join(root, 'out'), only: ['nope'], quiet: true }),
    ).rejects.toThrow('unknown function(s): nope (have: hello, other)');
  });

  it('fails with a clear message when the handler does not compile', async () => {
    addFunction('broken', 'export const handler = async () => {\n');
    await expect(
      buildFunctions({ root, outDir: join(root, 'out'), only: ['broken'], quiet: true }),
    ).rejects.toThrow(
      /^bundling functions\/broken failed: Build failed with 1 error:\n.*Unexpected end of file/,
    );
  });
});

describe('listFunctions', () => {
  it('lists every function folder, sorted', () => {
    addFunction('alpha', 'export const handler = async () => 1;\n');
    expect(listFunctions(root)).toEqual(['alpha', 'hello']);
  });

  it('fails naming each function folder without src/handler.ts', () => {
    addFunction('streams', undefined);
    expect(() => listFunctions(root)).toThrow(UserError);
    expect(() => listFunctions(root)).toThrow(/^functions\/streams has no src\/handler\.ts\. /);
  });
});
