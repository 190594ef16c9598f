// Lambda's Node.js runtimes and their lifecycle (AWS's runtime deprecation policy): after the
// deprecation date a function no longer gets security patches; later, creation and then updates are
// blocked. Update this table when AWS announces a runtime or its dates.

export interface RuntimeLifecycle {
  /** ISO date from which AWS no longer patches it. */
  deprecated?: string;
  /** ISO date from which new functions cannot use it. */
  blockCreate?: string;
}

export const NODE_RUNTIMES: Readonly<Record<string, RuntimeLifecycle>> = {
  'nodejs16.x': { deprecated: '2024-06-12', blockCreate: '2025-09-01' },
  'nodejs18.x': { deprecated: '2025-09-01', blockCreate: '2026-02-03' },
  'nodejs20.x': { deprecated: '2026-04-30', blockCreate: '2026-06-01' },
  'nodejs22.x': { deprecated: '2027-04-30', blockCreate: '2027-06-01' },
  'nodejs24.x': {},
};

/** Other families, judged only by name: we deploy none of them, so their dates are not kept. */
const OTHER_RUNTIME = /^(python3\.\d+|java\d+|java8\.al2|dotnet\d+|ruby3\.\d+|provided(\.al2(023)?)?)$/;

export type RuntimeVerdict =
  | { kind: 'ok' }
  | { kind: 'unknown' }
  | { kind: 'deprecated'; since: string; blockCreate?: string };

export function judgeRuntime(runtime: string, now: Date): RuntimeVerdict {
  const lifecycle = NODE_RUNTIMES[runtime];
  if (!lifecycle) return OTHER_RUNTIME.test(runtime) ? { kind: 'ok' } : { kind: 'unknown' };
  if (lifecycle.deprecated && now.toISOString().slice(0, 10) >= lifecycle.deprecated) {
    return { kind: 'deprecated', since: lifecycle.deprecated, blockCreate: lifecycle.blockCreate };
  }
  return { kind: 'ok' };
}

/** The newest Node runtime in the table, for the hint. */
export const NEWEST_NODE_RUNTIME = Object.keys(NODE_RUNTIMES).at(-1)!;
