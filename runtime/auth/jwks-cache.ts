// Keys from a JWKS endpoint, chosen by the token's kid. A fetched set serves for the configured TTL:
// past 80% of it a refetch starts in the background, and past the TTL a verification waits for the
// refetch, so a key removed from the endpoint stops verifying within TTL + one fetch timeout while
// the endpoint answers (the cooldown does not apply to it). An unknown kid (key rotation) triggers one refetch, at most once
// per cooldown, so random kids fetch nothing. While the endpoint is down the cached keys keep
// serving, retried once per cooldown; only a token whose key is not cached gets "keys unavailable"
// (503: the client did nothing wrong). A key a refetch drops has its handle marked dead, which
// evicts the tokens it verified from the verified-token cache.
import type { webcrypto } from 'node:crypto';
import { importJWK, type JWK } from 'jose';
import { request } from 'undici';
import type { JwtAlgorithm } from '../../core/jwt/algorithms';
import type { Clock } from '../lib/clock';
import type { Logger } from '../lib/logger';
import { AuthFailure, KeysUnavailable } from './auth-failure';
import { algorithmsForJwk, isVerificationJwk } from './key-algorithms';

type CryptoKey = webcrypto.CryptoKey;

export interface JwksCacheOptions {
  url: string;
  ttlMs: number;
  fetchTimeoutMs: number;
  /** Least time between two fetches triggered by unknown kids or staleness. @default 30 s */
  cooldownMs?: number;
  clock: Clock;
  logger: Logger;
}

/** Largest JWKS document read; identity providers publish a handful of keys. */
const MAX_JWKS_BYTES = 512 * 1024;

/** Whether a key is still in the published set; shared with the tokens it verified. */
export interface KeyHandle {
  live: boolean;
}

/** A key for one verification, with how long what it verifies may be trusted without a refetch. */
export interface JwksKey {
  key: CryptoKey;
  handle: KeyHandle;
  /** Epoch ms at which the set this key came from is stale. */
  staleAt: number;
}

interface CachedJwk {
  jwk: JWK;
  algorithms: JwtAlgorithm[];
  imported: Map<JwtAlgorithm, Promise<CryptoKey>>;
  handle: KeyHandle;
}

/** Share of the TTL after which a background refetch starts. */
const EARLY_REFRESH = 0.8;

export class JwksCache {
  readonly #options: JwksCacheOptions;
  readonly #cooldownMs: number;
  #keys: CachedJwk[] = [];
  #fetchedAt: number | undefined;
  #lastAttemptAt = -Infinity;
  #lastAttemptFailed = false;
  #inflight: Promise<void> | undefined;

  constructor(options: JwksCacheOptions) {
    this.#options = options;
    this.#cooldownMs = options.cooldownMs ?? 30_000;
  }

  /** True once a key set has been fetched (for /health). */
  get loaded(): boolean {
    return this.#fetchedAt !== undefined;
  }

  /** Fetches the set; failures are logged and leave the previous set in place. */
  refresh(): Promise<void> {
    this.#inflight ??= this.#fetch().finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  async getKey(kid: string | undefined, alg: JwtAlgorithm): Promise<JwksKey> {
    const { clock, ttlMs } = this.#options;
    const now = clock.now();
    const cooled = now - this.#lastAttemptAt >= this.#cooldownMs;
    if (this.#fetchedAt === undefined) {
      if (cooled) await this.refresh();
    } else if (now - this.#fetchedAt >= ttlMs) {
      // Stale: wait for the refetch. With the endpoint failing, the cached keys serve meanwhile and
      // the refetch is retried in the background once per cooldown.
      if (!this.#lastAttemptFailed) await this.refresh();
      else if (cooled) void this.refresh();
    } else if (now - this.#fetchedAt >= ttlMs * EARLY_REFRESH && cooled) {
      void this.refresh();
    }
    let entry = this.#find(kid, alg);
    // Unknown kid: perhaps the provider rotated keys since the last fetch.
    if (!entry && now - this.#lastAttemptAt >= this.#cooldownMs) {
      await this.refresh();
      entry = this.#find(kid, alg);
    }
    if (entry) {
      const staleAt = (this.#fetchedAt ?? now) + ttlMs;
      return { key: await this.#import(entry, alg), handle: entry.handle, staleAt };
    }
    if (this.#lastAttemptFailed) {
      const wait = Math.max(1, Math.ceil((this.#lastAttemptAt + this.#cooldownMs - now) / 1000));
      throw new KeysUnavailable('JWKS endpoint unreachable and no cached key fits the token', wait);
    }
    throw new AuthFailure('unknown_key', `no JWKS key with kid ${JSON.stringify(kid)} for ${alg}`);
  }

  #find(kid: string | undefined, alg: JwtAlgorithm): CachedJwk | undefined {
    if (kid !== undefined) {
      return this.#keys.find((k) => k.jwk.kid === kid && k.algorithms.includes(alg));
    }
    // Without a kid, only an unambiguous set can answer (RFC 7515 leaves the choice to us; guessing
    // among several keys would let any of them sign for the others).
    const candidates = this.#keys.filter((k) => k.algorithms.includes(alg));
    return candidates.length === 1 ? candidates[0] : undefined;
  }

  #import(entry: CachedJwk, alg: JwtAlgorithm): Promise<CryptoKey> {
    let key = entry.imported.get(alg);
    if (!key) {
      key = importJWK({ ...entry.jwk, alg }, alg) as Promise<CryptoKey>;
      entry.imported.set(alg, key);
    }
    return key;
  }

  async #fetch(): Promise<void> {
    const { url, fetchTimeoutMs, clock, logger } = this.#options;
    this.#lastAttemptAt = clock.now();
    try {
      const res = await request(url, {
        method: 'GET',
        headers: { accept: 'application/json' },
        headersTimeout: fetchTimeoutMs,
        bodyTimeout: fetchTimeoutMs,
        signal: AbortSignal.timeout(fetchTimeoutMs),
      });
      if (res.statusCode !== 200) {
        await res.body.dump();
        throw new Error(`JWKS endpoint answered ${res.statusCode}`);
      }
      const text = await readLimited(res.body, MAX_JWKS_BYTES);
      const document = JSON.parse(text) as { keys?: unknown };
      if (!Array.isArray(document.keys)) throw new Error('JWKS document has no "keys" array');
      const previous = new Map(this.#keys.map((k) => [JSON.stringify(k.jwk), k]));
      const next = (document.keys as JWK[])
        .filter((jwk) => jwk && typeof jwk === 'object' && isVerificationJwk(jwk))
        .map(
          (jwk) =>
            previous.get(JSON.stringify(jwk)) ?? {
              jwk,
              algorithms: algorithmsForJwk(jwk),
              imported: new Map(),
              handle: { live: true },
            },
        );
      const kept = new Set(next);
      for (const old of this.#keys) if (!kept.has(old)) old.handle.live = false;
      this.#keys = next;
      this.#fetchedAt = clock.now();
      this.#lastAttemptFailed = false;
      logger.debug('jwks refreshed', { keys: this.#keys.length });
    } catch (error) {
      this.#lastAttemptFailed = true;
      logger.warn('jwks fetch failed; cached keys keep serving', { error, cachedKeys: this.#keys.length });
    }
  }
}

async function readLimited(body: AsyncIterable<Buffer>, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > max) throw new Error(`JWKS document is larger than ${max} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
