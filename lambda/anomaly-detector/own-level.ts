// Whether an entity has a usual level of its own at this hour, or is judged as a newcomer.
import type { Windows } from './windows';

/**
 * Earlier days with traffic at this hour from which an entity's own level is trusted. With fewer it
 * is judged as a newcomer, against the population prior (or its own level, if that is higher): one
 * or two days say little about an hour, least of all a new user's first days, whose same hour
 * yesterday may have held a handful of requests sent while trying the API out.
 */
export const MIN_OWN_DAYS = 3;

/** Whether the entity has a level of its own at this hour (see MIN_OWN_DAYS). */
export function hasOwnLevel(w: Windows, e: number): boolean {
  return w.seasonalDays[e]! >= MIN_OWN_DAYS;
}
