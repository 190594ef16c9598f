// A smoke check is a named step with an outcome as a value: passed or failed with the evidence,
// never an exception, so one failing step still lets the report show every other one.

export interface CheckResult {
  name: string;
  ok: boolean;
  /** What was observed (status codes, headers, numbers), in a few words. */
  detail: string;
  durationMs: number;
}

export interface Check {
  name: string;
  run(): Promise<{ ok: boolean; detail: string }>;
}

export async function runCheck(check: Check, now: () => number = Date.now): Promise<CheckResult> {
  const started = now();
  try {
    const { ok, detail } = await check.run();
    return { name: check.name, ok, detail, durationMs: now() - started };
  } catch (error) {
    return {
      name: check.name,
      ok: false,
      detail: `error: ${(error as Error)?.message ?? String(error)}`,
      durationMs: now() - started,
    };
  }
}

/** Runs checks in order; `onResult` reports each as it finishes (a live table). */
export async function runChecks(
  checks: readonly Check[],
  onResult?: (result: CheckResult) => void,
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const check of checks) {
    const result = await runCheck(check);
    results.push(result);
    onResult?.(result);
  }
  return results;
}

export const pass = (detail: string) => ({ ok: true, detail });
export const fail = (detail: string) => ({ ok: false, detail });
