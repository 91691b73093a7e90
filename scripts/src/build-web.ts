import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { UserError } from '@streamdrop/cli-kit';
import { WEB_CSP_PLACEHOLDER, WEB_INDEX_FILE } from '@streamdrop/config';
import { type BuildOptions, build } from 'esbuild';

export interface WebBuildInfo {
  /** The output folder (dist/web). */
  readonly outDir: string;
  /** Every file written, relative to outDir, posix separators. */
  readonly files: readonly string[];
  /** What a first visit downloads, gzipped: the page, its script and its stylesheet. */
  readonly gzipBytes: number;
  readonly scriptGzipBytes: number;
  readonly ms: number;
}

/** esbuild's options for the web client (the bench measures the same). */
export function webBuildOptions(
  root: string,
  outDir: string,
  quiet = false,
): BuildOptions & { metafile: true } {
  return {
    absWorkingDir: root,
    entryPoints: { app: join(root, 'web', 'src', 'main.ts') },
    outdir: join(outDir, 'assets'),
    // Content hashes in the names: CloudFront and browsers may cache them for good.
    entryNames: '[name]-[hash]',
    bundle: true,
    platform: 'browser',
    format: 'esm',
    // What the page needs: ES2022 (top-level await, class fields) and CSS nesting-free output.
    target: ['es2022', 'chrome110', 'firefox115', 'safari16'],
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    metafile: true,
    logLevel: quiet ? 'silent' : 'warning',
  };
}

/** Copied from web/src as they are. */
const STATIC_FILES = ['favicon.svg'];

/** A string Terraform would read as an interpolation or directive inside an object's content. */
const TERRAFORM_TEMPLATE = /[$%]\{/;

/**
 * Bundles web/src/main.ts (and its stylesheet) into `<outDir>/assets/app-<hash>.{js,css}` and
 * writes `<outDir>/index.html` pointing at them, its CSP placeholder kept for whoever serves it.
 * The folder is wiped first: the stack uploads all of it.
 */
export async function buildWeb(options: {
  readonly root: string;
  readonly outDir: string;
  readonly quiet?: boolean;
}): Promise<WebBuildInfo> {
  const started = performance.now();
  const { root, outDir } = options;
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const result = await build(webBuildOptions(root, outDir, options.quiet)).catch((error: unknown) => {
    const detail = options.quiet && error instanceof Error ? error.message : "see esbuild's messages above";
    throw new UserError(`bundling web/ failed: ${detail}`);
  });
  const outputs = Object.keys(result.metafile.outputs).map((path) => join(root, path));
  const script = outputs.find((path) => path.endsWith('.js'));
  const style = outputs.find((path) => path.endsWith('.css'));
  if (!script || !style) throw new UserError('bundling web/ produced no script or no stylesheet');

  const template = readFileSync(join(root, 'web', 'src', WEB_INDEX_FILE), 'utf8');
  if (!template.includes(WEB_CSP_PLACEHOLDER)) {
    throw new UserError(`web/src/${WEB_INDEX_FILE} must keep ${WEB_CSP_PLACEHOLDER} in its <head>`);
  }
  const page = template
    .replace('{{js}}', `assets/${basename(script)}`)
    .replace('{{css}}', `assets/${basename(style)}`);
  writeFileSync(join(outDir, WEB_INDEX_FILE), page);
  // Static files the page names as they are (no hash: their names are part of the page).
  for (const file of STATIC_FILES) copyFileSync(join(root, 'web', 'src', file), join(outDir, file));

  const files = [
    WEB_INDEX_FILE,
    ...STATIC_FILES,
    ...outputs.map((path) => relative(outDir, path).split('\\').join('/')),
  ];
  for (const file of files) {
    // The stack hands the page to Terraform as content: nothing in it may read as a template.
    if (file.endsWith('.html') && TERRAFORM_TEMPLATE.test(readFileSync(join(outDir, file), 'utf8'))) {
      throw new UserError(
        `dist/web/${file} contains "\${" or "%{", which Terraform would read as a template`,
      );
    }
  }
  const gz = (path: string) => gzipSync(readFileSync(path), { level: 9 }).length;
  const scriptGzipBytes = gz(script);
  return {
    outDir,
    files,
    gzipBytes: scriptGzipBytes + gz(style) + gz(join(outDir, WEB_INDEX_FILE)),
    scriptGzipBytes,
    ms: Math.round(performance.now() - started),
  };
}
