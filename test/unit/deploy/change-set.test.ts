// Change-set requests: names and tokens unique per deploy and valid where CloudFormation checks
// them, and the capabilities asked for.
import { describe, expect, it } from 'vitest';
import { CAPABILITIES, changeSetName, executeToken } from '../../../src/deploy/change-set';

// CloudFormation's patterns: a change set name and a client token.
const NAME = /^[a-zA-Z][-a-zA-Z0-9]{0,127}$/;
const TOKEN = /^[a-zA-Z0-9][-a-zA-Z0-9]{0,127}$/;

describe('change-set names', () => {
  it('differ for two deploys started in the same millisecond', () => {
    const now = Date.UTC(2026, 0, 1, 12, 0, 0, 250);
    expect(changeSetName('sentinel-deploy', now)).not.toBe(changeSetName('sentinel-deploy', now));
  });

  it('differ a millisecond apart even with the same nonce', () => {
    const now = Date.UTC(2026, 0, 1, 12);
    expect(changeSetName('p', now, 'ab')).not.toBe(changeSetName('p', now + 1, 'ab'));
  });

  it('are valid names, and make valid tokens', () => {
    const name = changeSetName('sentinel-deploy', Date.UTC(2026, 11, 31, 23, 59, 59, 999));
    expect(name).toMatch(NAME);
    expect(name).toMatch(TOKEN);
    expect(executeToken(name)).toMatch(TOKEN);
  });

  it('ask only for CAPABILITY_IAM: the templates name no IAM resource', () => {
    expect(CAPABILITIES).toEqual(['CAPABILITY_IAM']);
  });
});
