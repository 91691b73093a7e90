/**
 * Helpers for tests that run the real local stack (this package's, the CLI's and chaos's):
 * `@streamdrop/local/testing`. Never imported by the runtime itself.
 */
export {
  decodeJwt,
  eventually,
  type Invocation,
  signIn,
  signWithCognitoLocalKey,
  startTestStack,
  type TestStack,
} from './stack';
export { makeUpload, putRecords, storeSource, TEST_SUB, type TestUpload } from './uploads';
