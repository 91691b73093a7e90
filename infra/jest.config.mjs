import { base } from '../jest.base.mjs';

export default {
  ...base,
  displayName: 'infra',
  // cdktf's matchers (toHaveResourceWithProperties, ...) on `expect`.
  setupFilesAfterEnv: ['<rootDir>/test/setup.ts'],
};
