// Content digests: computed over bytes in memory, or verified while a blob streams past, so a
// corrupted or truncated blob fails before anything is written or pushed on top of it.
import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { ErrorCode, SentinelError } from '../../core/shared/errors';

const DIGEST = /^sha256:[0-9a-f]{64}$/;

export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export function isDigest(value: string): boolean {
  return DIGEST.test(value);
}

/** The hex part of `sha256:<hex>`, for file names in an image layout. */
export function digestHex(digest: string): string {
  if (!isDigest(digest)) throw new SentinelError(ErrorCode.ImageUnsupported, `Unsupported digest ${digest}`);
  return digest.slice('sha256:'.length);
}

export function digestMismatch(what: string, expected: string, actual: string): SentinelError {
  return new SentinelError(
    ErrorCode.ImageDigestMismatch,
    `${what} does not match its digest: expected ${expected}, got ${actual}`,
    {
      hint: 'The registry served corrupted or altered content; retry, and check the registry or a proxy in between',
    },
  );
}

/**
 * Passes bytes through while hashing and counting them; at the end, fails unless both the digest
 * and (when given) the size match.
 */
export class DigestVerifier extends Transform {
  private readonly hash = createHash('sha256');
  private bytes = 0;

  constructor(
    private readonly expected: string,
    private readonly expectedSize: number | undefined,
    private readonly what: string,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.expectedSize !== undefined && this.bytes > this.expectedSize) {
      callback(
        digestMismatch(`${this.what} (longer than its ${this.expectedSize} bytes)`, this.expected, '?'),
      );
      return;
    }
    this.hash.update(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    const actual = `sha256:${this.hash.digest('hex')}`;
    if (actual !== this.expected) return callback(digestMismatch(this.what, this.expected, actual));
    if (this.expectedSize !== undefined && this.bytes !== this.expectedSize)
      return callback(
        digestMismatch(`${this.what} (${this.bytes} of ${this.expectedSize} bytes)`, this.expected, actual),
      );
    callback();
  }
}
