// The deploy commands' seams: AWS client factory, clock, poll intervals, command runner. Empty in
// production (the engine's defaults apply); in-process CLI tests set them to mocks and a virtual clock.
import type { ApiOptions } from '../deploy';

export const engineDeps: Pick<ApiOptions, 'clients' | 'clock' | 'intervals' | 'runner' | 'packageRoot'> = {};

/**
 * Ctrl-C for the length of an operation: the first press aborts `signal` (the engine cancels or
 * deletes), the second aborts `detachSignal` (stop waiting). Returns a function that restores the default.
 */
export function interruptSignals(onFirst: () => void): {
  signal: AbortSignal;
  detachSignal: AbortSignal;
  release: () => void;
} {
  const stop = new AbortController();
  const detach = new AbortController();
  const handler = () => {
    if (!stop.signal.aborted) {
      stop.abort();
      onFirst();
    } else detach.abort();
  };
  process.on('SIGINT', handler);
  return { signal: stop.signal, detachSignal: detach.signal, release: () => process.off('SIGINT', handler) };
}
