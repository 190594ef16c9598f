// A circuit breaker around Redis, pure with `now` passed in. After `failureThreshold` consecutive
// failures it opens: requests skip Redis (no timeout to wait out) until a cooldown has passed, then one
// probe goes through; success closes it, failure reopens it with a longer cooldown (capped).

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  /** @default 3 */
  failureThreshold?: number;
  /** First cooldown after opening. @default 250 ms */
  baseCooldownMs?: number;
  /** Cap of the doubling cooldown. @default 2000 ms */
  maxCooldownMs?: number;
}

export class CircuitBreaker {
  readonly #threshold: number;
  readonly #base: number;
  readonly #max: number;
  #state: BreakerState = 'closed';
  #failures = 0;
  #cooldown: number;
  #openUntil = 0;

  constructor(options: BreakerOptions = {}) {
    this.#threshold = options.failureThreshold ?? 3;
    this.#base = options.baseCooldownMs ?? 250;
    this.#max = options.maxCooldownMs ?? 2000;
    this.#cooldown = this.#base;
  }

  get state(): BreakerState {
    return this.#state;
  }

  /** Whether this request may use Redis. In half-open, only the single probe may. */
  allow(nowMs: number): boolean {
    if (this.#state === 'closed') return true;
    if (this.#state === 'open' && nowMs >= this.#openUntil) {
      this.#state = 'half-open';
      return true;
    }
    return false;
  }

  /** Milliseconds until the next probe may go (for Retry-After while open). */
  retryInMs(nowMs: number): number {
    return this.#state === 'closed' ? 0 : Math.max(0, this.#openUntil - nowMs);
  }

  /** Returns true when this success closed a breaker that was not closed. */
  onSuccess(): boolean {
    const recovered = this.#state !== 'closed';
    this.#state = 'closed';
    this.#failures = 0;
    this.#cooldown = this.#base;
    return recovered;
  }

  /**
   * Returns true when this failure opened a closed breaker. `immediately` skips the threshold (the
   * client knows the connection is down, so there is nothing to wait for).
   */
  onFailure(nowMs: number, immediately = false): boolean {
    if (this.#state === 'half-open') {
      this.#cooldown = Math.min(this.#max, this.#cooldown * 2);
      this.#open(nowMs);
      return false;
    }
    if (this.#state === 'open') return false;
    this.#failures++;
    if (this.#failures < this.#threshold && !immediately) return false;
    this.#open(nowMs);
    return true;
  }

  #open(nowMs: number): void {
    this.#state = 'open';
    this.#openUntil = nowMs + this.#cooldown;
  }
}
