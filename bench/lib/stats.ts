// Pure statistics of the bench: exact percentiles of recorded latencies, medians across rounds.

/** Latencies in ms, appended as they come and sorted once when percentiles are read. */
export class LatencyRecorder {
  #values = new Float64Array(1 << 16);
  #count = 0;
  #sorted = true;

  get count(): number {
    return this.#count;
  }

  record(ms: number): void {
    if (this.#count === this.#values.length) {
      const grown = new Float64Array(this.#values.length * 2);
      grown.set(this.#values);
      this.#values = grown;
    }
    this.#values[this.#count++] = ms;
    this.#sorted = false;
  }

  /** The value below which a share `q` (0-1) of the recorded values fall (nearest rank); 0 when empty. */
  percentile(q: number): number {
    if (this.#count === 0) return 0;
    if (!this.#sorted) {
      this.#values.subarray(0, this.#count).sort();
      this.#sorted = true;
    }
    const rank = Math.min(this.#count, Math.max(1, Math.ceil(q * this.#count)));
    return this.#values[rank - 1]!;
  }

  max(): number {
    return this.percentile(1);
  }
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/** Rounds to `digits` decimals (for tables and JSON). */
export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
