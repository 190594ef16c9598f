// A version tag for the gateway's secrets: equal for equal secrets, different when any changes, and
// safe to show (it lands in the task definition, which anyone allowed to describe it can read). A
// memory-hard digest (scrypt) with a fixed salt, so that the tag cannot be used to test guesses of a
// weak secret at any useful speed; memoised, since one deploy renders the stack more than once.
import { createHash, scryptSync } from 'node:crypto';

const SALT = 'sentinel-api gateway secrets version 1';
const SCRYPT = { N: 2 ** 14, r: 8, p: 1 };
const memo = new Map<string, string>();

/** 'none' when no secret is set; otherwise 24 hex digits. */
export function secretsVersion(values: ReadonlyArray<unknown>): string {
  const present = values.map((v) => (v === undefined || v === '' ? '' : String(v)));
  if (present.every((v) => v === '')) return 'none';
  const input = JSON.stringify(present);
  // The memo is keyed by a hash, not by the secrets themselves.
  const key = createHash('sha256').update(input).digest('hex');
  let version = memo.get(key);
  if (version === undefined) {
    version = scryptSync(input, SALT, 12, SCRYPT).toString('hex');
    memo.set(key, version);
  }
  return version;
}
