// The count statistics behind the signals: a z-score for "x counts when μ were expected" under a
// negative binomial (variance μ + φμ²), the pooled φ fitted on the run's own population, and an
// in-place quantile. Pure and allocation-light: a run calls them for every entity.

/**
 * How many standard deviations `observed` lies above `expected`, on the square-root scale that
 * makes Poisson counts roughly normal (Anscombe), widened by the overdispersion `phi` (= 1/k).
 * Small counts are judged fairly this way: 10 against 1 is not treated like 1,000 against 100.
 */
export function excessZ(observed: number, expected: number, phi: number): number {
  const mu = Math.max(expected, 0);
  return (2 * (Math.sqrt(observed + 0.375) - Math.sqrt(mu + 0.375))) / Math.sqrt(1 + mu * phi);
}

/** The `q` quantile (0..1) of the first `length` values of `values`; reorders them. NaN if empty. */
export function quantileInPlace(values: Float64Array, length: number, q: number): number {
  if (length === 0) return Number.NaN;
  const k = Math.min(length - 1, Math.max(0, Math.floor(q * (length - 1) + 0.5)));
  let lo = 0;
  let hi = length - 1;
  // Quickselect with median-of-three pivots: linear on average, no allocation.
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    const a = values[lo]!;
    const b = values[mid]!;
    const c = values[hi]!;
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i]! < pivot) i++;
      while (values[j]! > pivot) j--;
      if (i <= j) {
        const t = values[i]!;
        values[i] = values[j]!;
        values[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return values[k]!;
  }
  return values[k]!;
}

/** Share of the population whose excess calibrates the dispersion, and the normal quantile there. */
const FIT_QUANTILE = 0.95;
const FIT_Z = 1.6449;

/**
 * The overdispersion φ at which the population's own z-scores have the upper tail a normal variable
 * would have: 5% above 1.645. Only the upper tail is fitted, because expectations are deliberately
 * generous (the best of several baselines) and most entities sit below them; and a quantile, not a
 * mean, so that the few anomalous entities of a run (huge z) cannot inflate φ and hide themselves.
 * Returns at least `minPhi`.
 */
export function fitDispersion(
  observed: Float64Array,
  expected: Float64Array,
  count: number,
  minPhi: number,
  scratch: Float64Array,
): number {
  if (count < 20) return minPhi;
  const upperZ = (phi: number) => {
    for (let i = 0; i < count; i++) scratch[i] = excessZ(observed[i]!, expected[i]!, phi);
    return quantileInPlace(scratch, count, FIT_QUANTILE);
  };
  if (upperZ(minPhi) <= FIT_Z) return minPhi;
  let lo = minPhi;
  let hi = Math.max(1, minPhi * 2);
  while (upperZ(hi) > FIT_Z && hi < 1e4) hi *= 4;
  for (let iteration = 0; iteration < 24; iteration++) {
    const mid = (lo + hi) / 2;
    if (upperZ(mid) > FIT_Z) lo = mid;
    else hi = mid;
  }
  return hi;
}
