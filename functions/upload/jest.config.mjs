import { base } from '../../jest.base.mjs';

export default { ...base, displayName: 'upload', setupFiles: ['<rootDir>/test/setup-env.ts'] };
