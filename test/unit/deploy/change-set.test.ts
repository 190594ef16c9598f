// Change-set requests: the capabilities asked for.
import { describe, expect, it } from 'vitest';
import { CAPABILITIES } from '../../../src/deploy/change-set';

describe('change-set requests', () => {
  it('ask only for CAPABILITY_IAM: the templates name no IAM resource', () => {
    expect(CAPABILITIES).toEqual(['CAPABILITY_IAM']);
  });
});
