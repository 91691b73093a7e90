import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { command, isEntryPoint, UserError } from '@streamdrop/cli-kit';
import { type BuildOptions, build } from 'esbuild';
import { buildWeb } from './build-web';
import { bundlesDirOf, findRepoRoot, webDirOf } from './lib/paths';

export interface BundleInfo {
  readonly name: string;
  /** Absolute path of `index.mjs`. */
  readonly outfile: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  readonly ms: number;
}

export interface BuildFunctionsOptions {
  readonly root?: string;
  /** Only these functions (folder names under functions/); default all. */
  readonly only?: readonly string[];
  /** Output root; default STREAMDROP_BUNDLES_DIR or <repo>/dist/functions. */
  readonly outDir?: string;
  readonly quiet?: boolean;
}

/** The esbuild options of a deployed function bundle (also what the bench measures against). */
export function functionBuildOptions(
  root: string,
  entry: string,
  outfile: string,
  quiet = false,
): BuildOptions & { metafile: true } {
  return {
    absWorkingDir: root,
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    // ESM builds of the AWS SDK: smaller, faster cold start, and no CommonJS `require` of node: builtins.
    mainFields: ['module', 'main'],
    // Lambda (and the local stack) hand a function its credentials in environment variables:
    // the SDK's default chain (SSO, INI, process, web identity, IMDS, and the STS/SSO clients
    // they bundle) never runs there. Its stand-in reads the environment only.
    alias: {
      '@aws-sdk/credential-provider-node': join(root, 'packages', 'lambda-kit', 'src', 'env-credentials.ts'),
    },
    // Still give CommonJS code inside the bundle a real `require` for Node's built-in modules.
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    metafile: true,
    // Quiet (tests, other scripts' callers) keeps esbuild's messages in the error alone.
    logLevel: quiet ? 'silent' : 'warning',
  };
}

/** Every folder under functions/, each of which must have src/handler.ts. */
export function listFunctions(root: string): string[] {
  const dir = join(root, 'functions');
  if (!existsSync(dir)) throw new UserError(`no functions/ folder in ${root}`);
  const names = readdirSync(dir)
    .filter((name) => statSync(join(dir, name)).isDirectory())
    .sort();
  const missing = names.filter((name) => !existsSync(join(dir, name, 'src', 'handler.ts')));
  if (missing.length > 0) {
    throw new UserError(
      `${missing.map((n) => `functions/${n}`).join(', ')} ha${missing.length === 1 ? 's' : 've'} no src/handler.ts. ` +
        'Each function folder is bundled from src/handler.ts (exporting `handler`); add it or move the folder out of functions/.',
    );
  }
  return names;
}

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

/**
 * Bundles each `functions/<name>/src/handler.ts` into `<outDir>/<name>/index.mjs` (+ map).
 * The output folder is wiped first: Terraform zips the whole folder and hashes its contents.
 */
export async function buildFunctions(options: BuildFunctionsOptions = {}): Promise<BundleInfo[]> {
  const root = options.root ?? findRepoRoot();
  const outDir = options.outDir ?? bundlesDirOf(root);
  const all = listFunctions(root);
  const unknown = (options.only ?? []).filter((name) => !all.includes(name));
  if (unknown.length > 0)
    throw new UserError(`unknown function(s): ${unknown.join(', ')} (have: ${all.join(', ')})`);
  const names = options.only && options.only.length > 0 ? [...options.only] : all;

  const results: BundleInfo[] = [];
  for (const name of names) {
    const started = performance.now();
    const target = join(outDir, name);
    rmSync(target, { recursive: true, force: true });
    const outfile = join(target, 'index.mjs');
    const result = await build(
      functionBuildOptions(root, join(root, 'functions', name, 'src', 'handler.ts'), outfile, options.quiet),
    ).catch((error: unknown) => {
      const detail = options.quiet && error instanceof Error ? error.message : "see esbuild's messages above";
      throw new UserError(`bundling functions/${name} failed: ${detail}`);
    });
    const output = Object.entries(result.metafile.outputs).find(([path]) => path.endsWith('index.mjs'));
    const bytes = output?.[1].bytes ?? statSync(outfile).size;
    const info: BundleInfo = {
      name,
      outfile,
      bytes,
      gzipBytes: gzipSync(readFileSync(outfile)).length,
      ms: Math.round(performance.now() - started),
    };
    results.push(info);
    if (!options.quiet) {
      console.log(
        `  ${name.padEnd(12)} ${relative(root, outfile)}  ${kb(info.bytes)} (gzip ${kb(info.gzipBytes)})  ${info.ms} ms`,
      );
    }
  }
  return results;
}

if (isEntryPoint('build')) {
  command(
    {
      usage: 'pnpm build [function...]',
      summary:
        'Bundles functions/<name>/src/handler.ts with esbuild into dist/functions/<name>/index.mjs (+ source map), the folders Terraform zips, and the web client into dist/web (with no function named).',
      flags: {},
      positionals: true,
      notes: [
        'Environment:',
        '  STREAMDROP_BUNDLES_DIR  output folder of the functions (default <repo>/dist/functions)',
        '  STREAMDROP_WEB_DIR      output folder of the web client (default <repo>/dist/web)',
      ],
    },
    async (args) => {
      const started = performance.now();
      console.log('> bundling functions with esbuild...');
      const bundles = await buildFunctions({ only: args.positionals });
      if (args.positionals.length === 0) {
        const root = findRepoRoot();
        const web = await buildWeb({ root, outDir: webDirOf(root) });
        console.log(
          `  ${'web'.padEnd(12)} ${relative(root, web.outDir)}/  ${web.files.length} files (gzip ${kb(web.gzipBytes)})  ${web.ms} ms`,
        );
      }
      console.log(
        `built ${bundles.length} bundle(s)${args.positionals.length === 0 ? ' and the web client' : ''} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
      return 0;
    },
  );
}
