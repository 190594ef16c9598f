// Latency percentiles in constant memory: a log-scale histogram (about 4% relative error) from
// 0.05 ms to about 2 minutes. Pure; reset after each metrics interval.

const MIN_MS = 0.05;
const GROWTH = 1.04;
const BUCKETS = Math.ceil(Math.log(120_000 / MIN_MS) / Math.log(GROWTH)) + 1;
const LOG_GROWTH = Math.log(GROWTH);

export class LatencyHistogram {
  #counts = new Uint32Array(BUCKETS);
  #total = 0;

  get count(): number {
    return this.#total;
  }

  record(ms: number): void {
    const index = ms <= MIN_MS ? 0 : Math.min(BUCKETS - 1, Math.ceil(Math.log(ms / MIN_MS) / LOG_GROWTH));
    this.#counts[index]!++;
    this.#total++;
  }

  /** The latency below which a share `q` (0-1) of the recorded values fall; 0 when empty. */
  percentile(q: number): number {
    if (this.#total === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.#total));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.#counts[i]!;
      if (seen >= rank) return i === 0 ? MIN_MS : MIN_MS * GROWTH ** i;
    }
    return MIN_MS * GROWTH ** (BUCKETS - 1);
  }

  reset(): void {
    this.#counts.fill(0);
    this.#total = 0;
  }
}
