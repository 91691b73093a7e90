/**
 * The arrows between the packages of the local tools point down only:
 * cli -> chaos -> local -> events/config, and cli-kit stands alone. A package reaches another
 * only through its `exports` (no deep paths into its folders).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repoRoot } from '@streamdrop/local';

const ALLOWED: Record<string, string[]> = {
  'cli-kit': [],
  local: ['@streamdrop/config', '@streamdrop/events'],
  chaos: ['@streamdrop/config', '@streamdrop/events', '@streamdrop/local'],
  cli: [
    '@streamdrop/config',
    '@streamdrop/events',
    '@streamdrop/local',
    '@streamdrop/chaos',
    '@streamdrop/cli-kit',
  ],
};

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(ts|mjs)$/.test(name) ? [path] : [];
  });
}

/** Every module a file imports, by specifier. */
const importsOf = (file: string) =>
  [
    ...readFileSync(file, 'utf8').matchAll(/(?:import|export)[^'"]*?from\s+'([^']+)'|import\('([^']+)'\)/g),
  ].map((m) => m[1] ?? m[2] ?? '');

describe('package layering', () => {
  it.each(Object.keys(ALLOWED))(
    '%s imports only the workspace packages below it, through their exports',
    (pkg) => {
      const root = repoRoot();
      const wrong: string[] = [];
      for (const file of sources(join(root, 'packages', pkg, 'src'))) {
        for (const specifier of importsOf(file)) {
          const workspace = /^@streamdrop\/[^/]+/.exec(specifier)?.[0];
          const outside =
            specifier.startsWith('.') &&
            relative(join(root, 'packages', pkg), join(file, '..', specifier)).startsWith('..');
          const deep = workspace !== undefined && specifier !== workspace;
          if (outside || deep || (workspace && !(ALLOWED[pkg] ?? []).includes(workspace))) {
            wrong.push(`${relative(root, file)} imports ${specifier}`);
          }
        }
      }
      expect(wrong).toEqual([]);
    },
  );
});
