import { base } from '../jest.base.mjs';

export default { ...base, displayName: 'bench', setupFiles: ['<rootDir>/test/setup-env.ts'] };
