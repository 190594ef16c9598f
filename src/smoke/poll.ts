// Waiting on a condition, never for a fixed time: a probe repeated until it yields a value or the
// deadline passes (it runs once more at the deadline, so a slow last probe still counts).

export const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The first value `probe` yields, or undefined once `until` has passed without one. */
export async function poll<T>(
  until: number,
  every: number,
  now: () => number,
  sleep: (ms: number) => Promise<void>,
  probe: () => Promise<T | undefined>,
): Promise<T | undefined> {
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (now() >= until) return undefined;
    await sleep(every);
  }
}
