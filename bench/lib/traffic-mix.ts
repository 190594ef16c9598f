// A realistic traffic mix, pure and seeded: users drawn from a Zipf distribution (a few heavy users,
// a long tail), endpoints with ids drawn the same way, and a small share of errors (upstream 404 and
// 500, requests with an invalid token). The result is a request order for the load generator.

export interface MixOptions {
  users: number;
  requests: number;
  /** Zipf exponent of users and item ids. @default 1 */
  exponent?: number;
  /** Distinct item ids in `/items/<id>`. @default 500 */
  items?: number;
  /** Shares of the error kinds. */
  notFoundShare?: number;
  serverErrorShare?: number;
  invalidTokenShare?: number;
  seed?: number;
}

export interface TrafficMix {
  /** Paths, referenced by index from `sequence`. */
  paths: string[];
  /** [path index, user index]; user index `users` means the invalid token. */
  sequence: Array<[number, number]>;
  /** Requests per kind, as drawn. */
  planned: { ok: number; notFound: number; serverError: number; invalidToken: number };
  /** Distinct users that appear. */
  activeUsers: number;
}

/** A small, fast, seeded generator (mulberry32): the same mix on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Draws ranks 0..n-1 with P(k) proportional to 1/(k+1)^s, by inverting the cumulative weights. */
export function zipfSampler(n: number, s: number, random: () => number): () => number {
  const cumulative = new Float64Array(n);
  let total = 0;
  for (let k = 0; k < n; k++) cumulative[k] = total += 1 / (k + 1) ** s;
  return () => {
    const target = random() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < target) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

export function buildMix(options: MixOptions): TrafficMix {
  const random = seededRandom(options.seed ?? 42);
  const exponent = options.exponent ?? 1;
  const items = options.items ?? 500;
  const user = zipfSampler(options.users, exponent, random);
  const item = zipfSampler(items, exponent, random);
  const paths = [
    ...Array.from({ length: items }, (_, i) => `/proxy/items/${i + 1}`),
    '/proxy/orders',
    '/proxy/users/me',
    '/proxy/status/404',
    '/proxy/status/500',
  ];
  const [orders, me, notFound, serverError] = [items, items + 1, items + 2, items + 3];
  const shares = {
    notFound: options.notFoundShare ?? 0.01,
    serverError: options.serverErrorShare ?? 0.005,
    invalidToken: options.invalidTokenShare ?? 0.005,
  };
  const planned = { ok: 0, notFound: 0, serverError: 0, invalidToken: 0 };
  const seen = new Set<number>();
  const sequence: Array<[number, number]> = [];
  for (let i = 0; i < options.requests; i++) {
    const who = user();
    const r = random();
    let entry: [number, number];
    if (r < shares.notFound) {
      entry = [notFound, who];
      planned.notFound++;
    } else if (r < shares.notFound + shares.serverError) {
      entry = [serverError, who];
      planned.serverError++;
    } else if (r < shares.notFound + shares.serverError + shares.invalidToken) {
      entry = [item(), options.users];
      planned.invalidToken++;
    } else {
      const kind = random();
      entry = [kind < 0.7 ? item() : kind < 0.9 ? orders : me, who];
      planned.ok++;
    }
    if (entry[1] < options.users) seen.add(entry[1]);
    sequence.push(entry);
  }
  return { paths, sequence, planned, activeUsers: seen.size };
}
