import { realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { base } from '../jest.base.mjs';

// @actions/workflow-parser (GitHub's workflow schema, for the workflow tests) and its sibling
// @actions/expressions ship ES modules only, exported under the `import` condition: map them to
// their files and let @swc/jest compile them like our own code. With pnpm they sit side by side.
const here = dirname(fileURLToPath(import.meta.url));
const actionsScope = dirname(realpathSync(join(here, 'node_modules', '@actions', 'workflow-parser')));

export default {
  ...base,
  displayName: 'scripts',
  transformIgnorePatterns: ['/node_modules/\\.pnpm/(?!@actions\\+)'],
  moduleNameMapper: {
    '^@actions/(workflow-parser|expressions)$': `${actionsScope}/$1/dist/index.js`,
    '^@actions/(workflow-parser|expressions)/(.*)$': `${actionsScope}/$1/dist/$2.js`,
  },
};
