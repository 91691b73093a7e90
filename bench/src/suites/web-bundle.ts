import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { envReader, WEB_INDEX_FILE } from '@streamdrop/config';
import { metric } from '../lib/metrics';
import { repoRoot } from '../lib/paths';
import type { Suite } from '../lib/suite';

/**
 * 50 KiB gzip for what a first visit downloads (page, script, stylesheet). Why: on a slow mobile
 * link (1.6 Mbit/s down, Lighthouse's "slow 4G") it is a quarter of a second of transfer; it holds
 * the OIDC client (~17 KiB), the shared schemas (~8 KiB), the app and its styles with room for the
 * upload schemas still to come; and Uppy's core and S3 plugin alone (23 KiB before any UI) would
 * already take half of it.
 */
export const WEB_FIRST_LOAD_GZIP_TARGET = 50 * 1024;

/** The built web client, as `pnpm build` (and `pnpm synth`) write it. */
export const webDir = () =>
  resolve(envReader(process.env).optional('STREAMDROP_WEB_DIR') ?? join(repoRoot(), 'dist', 'web'));

const gzip = (file: string) => gzipSync(readFileSync(file), { level: 9 }).length;

/** The web client's bundle: gzip of the first load (what the target is about) and of its script alone. */
export const webBundle: Suite = {
  name: 'web client bundle',
  async run(_options, log) {
    const dir = webDir();
    if (!existsSync(join(dir, WEB_INDEX_FILE))) {
      throw new Error(`${dir} holds no built web client: run \`pnpm build\` first`);
    }
    const assets = readdirSync(join(dir, 'assets'));
    const script = assets.find((f) => f.endsWith('.js'));
    const style = assets.find((f) => f.endsWith('.css'));
    if (!script || !style) throw new Error(`${dir}/assets has no script or no stylesheet`);
    const scriptGzip = gzip(join(dir, 'assets', script));
    const styleGzip = gzip(join(dir, 'assets', style));
    const pageGzip = gzip(join(dir, WEB_INDEX_FILE));
    const raw = readFileSync(join(dir, 'assets', script)).length;
    log(`  page ${pageGzip} B, script ${scriptGzip} B (${raw} B raw), stylesheet ${styleGzip} B, gzip -9`);
    return [
      metric({
        name: 'web.first_load_gzip_bytes',
        value: pageGzip + scriptGzip + styleGzip,
        unit: 'B',
        targets: [{ op: '<=', value: WEB_FIRST_LOAD_GZIP_TARGET }],
        note: `dist/web: ${WEB_INDEX_FILE} + assets/${script} + assets/${style}, each gzip -9 (config.json and the icon not counted: under 1 KB)`,
      }),
      metric({
        name: 'web.script_gzip_bytes',
        value: scriptGzip,
        unit: 'B',
        note: `assets/${script}, ${raw} B minified: oidc-client-ts, zod/mini with the shared schemas, the app`,
      }),
    ];
  },
};
