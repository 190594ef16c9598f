// Image references and platform choice: the digest wins over a tag, plain HTTP only for loopback,
// and attestation entries of an index are never chosen as a platform.
import { describe, expect, it } from 'vitest';
import { deployKnobs, DEFAULT_GATEWAY_BASE_IMAGE } from '../../../core/config/knobs/deploy';
import { parseReference, referenceTarget } from '../../../src/image/reference';
import { selectPlatform } from '../../../src/image/platform';
import { MediaType } from '../../../src/image/media-types';

const DIGEST = `sha256:${'a'.repeat(64)}`;

describe('image references', () => {
  it('parses registry, repository, tag and digest; the digest is what is fetched', () => {
    const ref = parseReference(`public.ecr.aws/docker/library/node:24-bookworm-slim@${DIGEST}`);
    expect(ref).toMatchObject({
      registry: 'public.ecr.aws',
      repository: 'docker/library/node',
      tag: '24-bookworm-slim',
      digest: DIGEST,
      origin: 'https://public.ecr.aws',
    });
    expect(referenceTarget(ref)).toBe(DIGEST);
    expect(parseReference('127.0.0.1:5000/base:test').origin).toBe('http://127.0.0.1:5000');
    expect(parseReference('localhost:5000/base').tag).toBe('latest');
  });

  it('uses HTTPS for every registry that is not loopback', () => {
    for (const host of ['registry.example.com:5000', '10.0.0.1:5000', '128.0.0.1', 'localhost.evil.com'])
      expect(parseReference(`${host}/x:1`).origin.startsWith('https://')).toBe(true);
  });

  it('rejects references without a registry host or with a bad digest, with a code', () => {
    for (const bad of ['node:24', 'node', `r.io/x@sha256:${'A'.repeat(64)}`, 'r.io/X:1', 'r.io/x:-bad'])
      expect(() => parseReference(bad), bad).toThrow(
        expect.objectContaining({ code: 'ERR_IMAGE_REFERENCE_INVALID' }),
      );
  });

  it('pins the default base by digest, and the knob accepts what the parser accepts', () => {
    expect(parseReference(DEFAULT_GATEWAY_BASE_IMAGE).digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const type = deployKnobs.gatewayBaseImage.type;
    expect(type.parse(DEFAULT_GATEWAY_BASE_IMAGE).ok).toBe(true);
    expect(type.parse('127.0.0.1:5000/library/node:test').ok).toBe(true);
    expect(type.parse('node:24').ok).toBe(false);
  });
});

describe('platform choice', () => {
  const entry = (architecture: string, extra: object = {}) => ({
    mediaType: MediaType.ociManifest,
    digest: `sha256:${architecture
      .padEnd(64, '0')
      .slice(0, 64)
      .replace(/[^0-9a-f]/g, '0')}`,
    size: 1,
    platform: { os: 'linux', architecture },
    ...extra,
  });

  it('picks the architecture, accepts arm64/v8, and skips attestations', () => {
    const attestation = {
      ...entry('unknown'),
      platform: { os: 'unknown', architecture: 'unknown' },
      annotations: { 'vnd.docker.reference.type': 'attestation-manifest' },
    };
    const arm = { ...entry('arm64'), platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } };
    const index = { schemaVersion: 2 as const, manifests: [attestation, entry('amd64'), arm] };
    expect(selectPlatform(index, { os: 'linux', architecture: 'arm64' })).toBe(arm);
    expect(selectPlatform(index, { os: 'linux', architecture: 'amd64' })?.platform?.architecture).toBe(
      'amd64',
    );
    expect(
      selectPlatform({ schemaVersion: 2, manifests: [attestation] }, { os: 'linux', architecture: 'amd64' }),
    ).toBeUndefined();
  });
});
