import { base } from '../jest.base.mjs';

// The browser tests start a real local stack and a real Chromium: one file at a time, each with
// room for its own start-up.
export default { ...base, displayName: 'web', testTimeout: 60_000 };
