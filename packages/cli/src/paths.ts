import { join } from 'node:path';
import { repoRoot } from '@streamdrop/local';

export const cliPackageDir = (root = repoRoot()) => join(root, 'packages', 'cli');

/** `npm start`'s entry point, which pnpm chaos starts (and kills) its stacks with. */
export const startEntry = (root = repoRoot()) => join(cliPackageDir(root), 'src', 'start.ts');
