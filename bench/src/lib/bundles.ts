import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type BuildOptions, build } from 'esbuild';
import { functionBuildOptions } from '../../../scripts/src/build';
import { repoRoot, scratchDir } from './paths';

/**
 * The bundles the bench builds for itself (the production bundles come from `pnpm build`):
 * baselines and experiments, written under bench/results/.work/.
 */

/** The production options, from the build script itself: the bench never measures a stale copy. */
export const productionOptions = (root: string, entry: string, outfile: string): BuildOptions =>
  functionBuildOptions(root, entry, outfile, true);

export type Variant =
  /** esbuild with its defaults for a Node bundle: CommonJS, main fields main,module, no minify. */
  'esbuild-defaults';

/** The production bundle without part of the observability it ships: see buildObservabilityVariant. */
export type ObservabilityVariant =
  /** Powertools Metrics replaced by a no-op with the same API: what the metrics cost. */
  'no-metrics';

export interface BuiltBundle {
  readonly file: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  /** Bytes in the output per npm package (or workspace folder), largest first. */
  readonly composition: ReadonlyArray<readonly [string, number]>;
}

export const gzipBytesOf = (file: string) => gzipSync(readFileSync(file)).length;

/** Groups a metafile's inputs by the package they come from. */
export function compositionOf(inputs: Record<string, { bytesInOutput: number }>): Array<[string, number]> {
  const byPackage = new Map<string, number>();
  for (const [path, { bytesInOutput }] of Object.entries(inputs)) {
    const packages = [...path.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)\//g)];
    const name = packages.at(-1)?.[1] ?? path.split('/').slice(0, 2).join('/');
    byPackage.set(name, (byPackage.get(name) ?? 0) + bytesInOutput);
  }
  return [...byPackage].sort((a, b) => b[1] - a[1]);
}

async function bundle(options: BuildOptions): Promise<BuiltBundle> {
  const outfile = options.outfile as string;
  rmSync(join(outfile, '..'), { recursive: true, force: true });
  mkdirSync(join(outfile, '..'), { recursive: true });
  const result = await build({ ...options, metafile: true });
  const inputs = Object.values(result.metafile?.outputs ?? {}).find((o) => o.entryPoint)?.inputs ?? {};
  return {
    file: outfile,
    bytes: readFileSync(outfile).length,
    gzipBytes: gzipBytesOf(outfile),
    composition: compositionOf(inputs),
  };
}

/** Builds `functions/<name>` as `variant` into the scratch folder. */
export async function buildVariant(name: string, variant: Variant): Promise<BuiltBundle> {
  const root = repoRoot();
  const entry = join(root, 'functions', name, 'src', 'handler.ts');
  const dir = join(scratchDir(), 'bundles', variant, name);
  return bundle({
    absWorkingDir: root,
    entryPoints: [entry],
    outfile: join(dir, 'index.cjs'),
    bundle: true,
    platform: 'node',
    metafile: true,
    logLevel: 'error',
  });
}

/**
 * `functions/<name>` built exactly as production, but with Powertools Metrics replaced by a no-op
 * of the same API (bench/src/observability), into the scratch folder.
 */
export async function buildObservabilityVariant(
  name: string,
  variant: ObservabilityVariant,
): Promise<BuiltBundle> {
  const root = repoRoot();
  const entry = join(root, 'functions', name, 'src', 'handler.ts');
  const options = productionOptions(root, entry, join(scratchDir(), 'bundles', variant, name, 'index.mjs'));
  const own = join(root, 'bench', 'src', 'observability');
  const stubs: Record<ObservabilityVariant, Record<string, string>> = {
    'no-metrics': { '@aws-lambda-powertools/metrics': join(own, 'metrics-off.ts') },
  };
  return bundle({ ...options, alias: { ...options.alias, ...stubs[variant] } });
}

export type BenchHandler = 'seed-processor' | 'sdk-floor-processor' | 'sdk-floor-upload';

/** A bench-only handler (bench/src/baseline/<name>.ts), bundled like a production function. */
export async function buildBenchHandler(name: BenchHandler): Promise<BuiltBundle> {
  const root = repoRoot();
  const entry = join(root, 'bench', 'src', 'baseline', `${name}.ts`);
  return bundle(productionOptions(root, entry, join(scratchDir(), 'bundles', name, 'index.mjs')));
}
