// How long ECS waits between SIGTERM and SIGKILL for a gateway task: the shutdown grace the
// gateway gives in-flight requests, plus its final telemetry flush.

/** Fargate refuses a container stopTimeout above this. */
export const FARGATE_MAX_STOP_TIMEOUT_SECONDS = 120;
/** What the gateway allows its final telemetry flush after the grace (runtime/serve.ts). */
export const SHUTDOWN_FLUSH_SECONDS = 10;

/** The container stop timeout for a shutdown grace, in whole seconds, capped at Fargate's limit. */
export function stopTimeoutSeconds(shutdownGraceSeconds: number): number {
  return Math.min(FARGATE_MAX_STOP_TIMEOUT_SECONDS, Math.ceil(shutdownGraceSeconds) + SHUTDOWN_FLUSH_SECONDS);
}
