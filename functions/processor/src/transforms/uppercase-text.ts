import { TRANSFORM_NAMES } from '@streamdrop/config';
import { textTransform } from './transform';

/**
 * The default transform: upper-cases UTF-8 text, copies everything else byte for byte. Each
 * character is upper-cased on its own, so every piece of text can be written at once.
 */
export const upperCaseText = textTransform(TRANSFORM_NAMES.uppercaseText, () => ({
  push: (text) => text.toUpperCase(),
  end: () => '',
}));
