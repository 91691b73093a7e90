import { existsSync, readFileSync, statSync } from 'node:fs';
import { buildObservabilityVariant, buildVariant, gzipBytesOf } from '../lib/bundles';
import { metric } from '../lib/metrics';
import { productionBundle } from '../lib/paths';
import type { Suite } from '../lib/suite';

/** 100 KB, as `pnpm build` counts kilobytes (1,024 bytes). */
export const BUNDLE_GZIP_TARGET = 100 * 1024;

export function requireBundle(name: string): string {
  const file = productionBundle(name);
  if (!existsSync(file)) {
    throw new Error(`${file} is missing: run \`pnpm build\` (or \`npm test\`, which synthesizes) first`);
  }
  return file;
}

/**
 * The deployed bundles' gzip size, against the same handler bundled with esbuild's defaults.
 */
export const bundleSize: Suite = {
  name: 'bundle size',
  async run(_options, log) {
    const metrics = [];
    for (const name of ['upload', 'processor', 'streams']) {
      const file = requireBundle(name);
      const gzip = gzipBytesOf(file);
      const defaults = await buildVariant(name, 'esbuild-defaults');
      log(`  ${name}: ${statSync(file).size} B (gzip ${gzip}); esbuild defaults gzip ${defaults.gzipBytes}`);
      const measured = name !== 'streams';
      metrics.push(
        metric({
          name: `${name}.bundle_gzip_bytes`,
          value: gzip,
          unit: 'B',
          baseline: defaults.gzipBytes,
          ...(measured && { targets: [{ op: '<=', value: BUNDLE_GZIP_TARGET }] }),
          note: `dist/functions/${name}/index.mjs (${readFileSync(file).length} B raw); baseline: esbuild defaults (CommonJS, main fields main,module, no minify)`,
        }),
      );
      if (!measured) continue;
      // What the metrics cost in bytes.
      for (const [variant, label] of [['no-metrics', 'no_metrics']] as const) {
        const built = await buildObservabilityVariant(name, variant);
        log(`  ${name} ${variant}: gzip ${built.gzipBytes}`);
        metrics.push(
          metric({
            name: `experiment.${label}.${name}.bundle_gzip_bytes`,
            value: built.gzipBytes,
            unit: 'B',
            baseline: gzip,
            note: 'the production bundle with Powertools Metrics replaced by a no-op of the same API; baseline: the production bundle',
          }),
        );
      }
    }
    return metrics;
  },
};
