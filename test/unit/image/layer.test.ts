// The gateway layer is deterministic and owned by the image's node user: checked by reading the
// tar back with an independent parse of its raw 512-byte headers (no PAX records) and with tar-stream.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { extract } from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { buildAppLayer } from '../../../src/image/layer';

const files = [
  { name: 'server.mjs.map', content: Buffer.from('{"version":3}') },
  { name: 'server.mjs', content: Buffer.from('console.log(1)') },
];

async function entries(tar: Buffer) {
  const out: Array<{
    name: string;
    type: string;
    uid: number;
    gid: number;
    mode: number;
    mtime: number;
    pax?: unknown;
  }> = [];
  const ex = extract();
  const done = new Promise<void>((resolve, reject) => {
    ex.on('entry', (header, stream, next) => {
      out.push({
        name: header.name,
        type: header.type ?? '',
        uid: header.uid ?? -1,
        gid: header.gid ?? -1,
        mode: header.mode ?? -1,
        mtime: header.mtime?.getTime() ?? -1,
        pax: header.pax,
      });
      stream.resume();
      stream.on('end', next);
    });
    ex.on('finish', resolve);
    ex.on('error', reject);
  });
  Readable.from([tar]).pipe(ex);
  await done;
  return out;
}

describe('the gateway layer', () => {
  it('has sorted entries under /app owned by 1000:1000 with fixed modes and mtime, and no PAX headers', async () => {
    const layer = await buildAppLayer(files);
    const tar = gunzipSync(layer.blob);
    const list = await entries(tar);
    expect(list.map((e) => [e.name, e.type, e.mode])).toEqual([
      ['app/', 'directory', 0o755],
      ['app/server.mjs', 'file', 0o644],
      ['app/server.mjs.map', 'file', 0o644],
    ]);
    for (const e of list) expect(e).toMatchObject({ uid: 1000, gid: 1000, mtime: 0 });
    expect(list.every((e) => !e.pax)).toBe(true);
    // Type flags of every header block: only directory (5) and file (0), never x/g (PAX).
    const flags = new Set<string>();
    for (let off = 0; off + 512 <= tar.length;) {
      const block = tar.subarray(off, off + 512);
      if (block.every((b) => b === 0)) break;
      flags.add(String.fromCharCode(block[156]!));
      const size = parseInt(block.subarray(124, 136).toString('ascii').replace(/\0.*$/, '').trim() || '0', 8);
      off += 512 + Math.ceil(size / 512) * 512;
    }
    expect([...flags].sort()).toEqual(['0', '5']);
  });

  it('keeps the layer digest (gzip) apart from the diff_id (tar), and rebuilds byte for byte', async () => {
    const a = await buildAppLayer(files);
    const b = await buildAppLayer([...files].reverse());
    expect(b.blob.equals(a.blob)).toBe(true);
    expect(a.digest).toBe(`sha256:${createHash('sha256').update(a.blob).digest('hex')}`);
    expect(a.diffId).toBe(`sha256:${createHash('sha256').update(gunzipSync(a.blob)).digest('hex')}`);
    expect(a.diffId).not.toBe(a.digest);
    expect(a.size).toBe(a.blob.length);
  });
});
