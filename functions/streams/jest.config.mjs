import { base } from '../../jest.base.mjs';

export default { ...base, displayName: 'streams', setupFiles: ['<rootDir>/test/setup-env.ts'] };
