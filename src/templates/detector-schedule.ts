// When the detector runs. The gateway writes a 15-minute bucket's aggregates at its first flush
// after the bucket ends (write-schedule.ts), and the detector judges the last complete bucket; so
// the detector runs at a fixed minute after every bucket boundary, late enough for that flush and
// its writes, instead of EventBridge's `rate(15 minutes)`, whose phase is wherever the rule's
// creation put it: a phase just after a boundary would read every bucket before the gateway's
// writes land, on every run, and any other phase leaves a burst unjudged for up to 15 minutes more.
import { BUCKET_MINUTES } from '../../core/shared/buckets';

/** What the gateway's flush and writes are given beyond the flush interval (writes, one retry). */
const WRITE_MARGIN_SECONDS = 60;

/** Minutes after each bucket boundary at which the detector runs. */
export function detectorRunMinute(flushSeconds: number): number {
  return Math.min(BUCKET_MINUTES - 1, Math.ceil((flushSeconds + WRITE_MARGIN_SECONDS) / 60));
}

/** The EventBridge schedule: `cron(M/15 * * * ? *)`, every 15 minutes from minute M of the hour. */
export function detectorScheduleExpression(flushSeconds: number): string {
  return `cron(${detectorRunMinute(flushSeconds)}/${BUCKET_MINUTES} * * * ? *)`;
}
