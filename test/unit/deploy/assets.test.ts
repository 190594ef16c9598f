// The detector zip is deterministic: same bundle, same bytes and SHA-256, whatever the time or zone.
import { unzipSync } from 'fflate';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { artifactsBucketName, detectorAsset, deterministicZip, sha256Hex } from '../../../src/deploy/assets';

const bundle = new TextEncoder().encode(
  'export const handler = async () => ({ anomalyCount: 0 });\n'.repeat(50),
);

describe('detector asset', () => {
  const zone = process.env.TZ;
  afterEach(() => {
    process.env.TZ = zone;
    vi.useRealTimers();
  });

  it('two builds of the same bundle give the same bytes and key, at different times and in different zones', () => {
    process.env.TZ = 'UTC';
    vi.useFakeTimers({ now: new Date('2026-03-01T10:00:00Z') });
    const first = detectorAsset(bundle);
    process.env.TZ = 'Pacific/Auckland';
    vi.setSystemTime(new Date('2027-07-15T23:59:59Z'));
    const second = detectorAsset(new Uint8Array(bundle));
    expect(Buffer.from(second.zip).equals(Buffer.from(first.zip))).toBe(true);
    expect(second.sha256).toBe(first.sha256);
    expect(first.key).toBe(`anomaly-detector/${first.sha256}.zip`);
    expect(first.sha256).toBe(sha256Hex(first.zip));
  });

  it('a changed bundle gives a new key', () => {
    const changed = new TextEncoder().encode('export const handler = async () => ({ anomalyCount: 1 });\n');
    expect(detectorAsset(changed).key).not.toBe(detectorAsset(bundle).key);
  });

  it('holds index.mjs (handler index.handler) with the bundle’s exact content', () => {
    const files = unzipSync(detectorAsset(bundle).zip);
    expect(Object.keys(files)).toEqual(['index.mjs']);
    expect(Buffer.from(files['index.mjs']!).equals(Buffer.from(bundle))).toBe(true);
  });

  it('orders entries by name whatever the insertion order', () => {
    const a = deterministicZip({ 'b.txt': bundle, 'a.txt': bundle });
    const b = deterministicZip({ 'a.txt': bundle, 'b.txt': bundle });
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });

  it('names the artifacts bucket as the original did', () => {
    expect(artifactsBucketName('123456789012', 'eu-west-1')).toBe(
      'sentinelapi-artifacts-123456789012-eu-west-1',
    );
  });
});
