import { TRANSFORM_NAMES, type TransformName } from '@streamdrop/config';
import { redactEmails } from './redact-emails';
import type { Transform } from './transform';
import { upperCaseText } from './uppercase-text';

export { EMAIL_MASK, EmailRedactor, MAX_ADDRESS_RUN, redactComplete, redactEmails } from './redact-emails';
export {
  copyUnchanged,
  isUtf8Text,
  NOT_UTF8_NOTE,
  type Transform,
  type TransformMeta,
  textTransform,
} from './transform';
export { upperCaseText } from './uppercase-text';

/**
 * Every transform the processor can run, by name; TRANSFORM (STREAMDROP_TRANSFORM on the
 * stack) picks one. The names are declared in @streamdrop/config, where the stack checks the
 * variable against them at synth time; the type makes a name without an implementation, or an
 * implementation without a name, a compile error.
 */
export const TRANSFORMS: Readonly<Record<TransformName, Transform>> = {
  [TRANSFORM_NAMES.uppercaseText]: upperCaseText,
  [TRANSFORM_NAMES.redactEmails]: redactEmails,
};
