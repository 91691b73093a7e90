import { DEFAULT_TRANSFORM, TRANSFORM_NAMES } from '@streamdrop/config';
import { TRANSFORMS } from '../../src/transforms';

describe('the transform registry', () => {
  it('holds one transform for every name the stack accepts, and no other', () => {
    expect(Object.keys(TRANSFORMS).sort()).toEqual(Object.values(TRANSFORM_NAMES).sort());
  });

  it('files each transform under the name it stores with its output', () => {
    for (const [name, transform] of Object.entries(TRANSFORMS)) expect(transform.name).toBe(name);
  });

  it('runs the upper-case transform when the stack names none', () => {
    expect(TRANSFORMS[DEFAULT_TRANSFORM].name).toBe('uppercase-text-v1');
  });
});
