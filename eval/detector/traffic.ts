// The labelled traffic the evaluation replays: bucket-major counter columns for every entity over
// the whole period, the injected abuse episodes and the benign traps, with what is needed to score.
import type { Entity } from '../../core/shared/entity';
import {
  COUNTER_FIELDS,
  OPTIONAL_COUNTER_FIELDS,
  type CounterField,
} from '../../lambda/anomaly-detector/input';

/** Every counter the evaluation keeps: the detector's columns, and the requests a block refused. */
export type EvalField = CounterField | 'blocked';
import type { OrganicBurst, Profile } from './population';

export const ABUSE_TYPES = [
  'burst 3x',
  'burst 5x',
  'burst 10x+',
  'slow ramp',
  'auth storm',
  'enumeration',
  'new abusive account',
  'compromised heavy user',
  'rate-limit hammering',
] as const;
export type AbuseType = (typeof ABUSE_TYPES)[number];

export const TRAP_NAMES = [
  'morning ramp-up',
  'new users',
  'batch jobs',
  'population 3x surge',
  'busy evening, quiet night',
  'holiday',
  'event day',
  'retry storm (5xx)',
] as const;
export type TrapName = (typeof TRAP_NAMES)[number];

export interface Episode {
  type: AbuseType;
  entity: number;
  /** Epoch ms when the abuse starts and stops. */
  onset: number;
  end: number;
  /** A detection counts for recall only up to this time (the end, or onset + 6 h for ramps). */
  deadline: number;
  /** Multiplier, growth or rate, for the record. */
  detail: string;
}

export interface Trap {
  name: TrapName;
  /** Entity indexes in the trap. */
  members: number[];
  /** A false block of a member counts against the trap inside [from, to) (per member for new users). */
  from: number | number[];
  to: number | number[];
  /** Narrows [from, to) to the moments the trap is about (e.g. each morning), given a member. */
  during?: (member: number, at: number) => boolean;
}

export interface Traffic {
  startMs: number;
  bucketCount: number;
  warmupBuckets: number;
  entities: Entity[];
  /** Column per field, bucket-major: the value of entity e in bucket t is at [t * n + e]. */
  columns: Record<EvalField, Int32Array>;
  episodes: Episode[];
  traps: Trap[];
  /** Benign user-days after warm-up on which the user sent anything. */
  benignUserDays: number;
  /** The traffic profile of each generated user (index = entity), for explaining results. */
  profiles: readonly Profile[];
  /** Benign users' organic bursts, and which cells (bucket-major over profiles) hold one. */
  organic: readonly OrganicBurst[];
  organicCells: Uint8Array;
  /**
   * What the generator drew each user's requests around: the benign expected count per bucket,
   * bucket-major over profiles (day factor, daily start, weekend, surge and first hour included),
   * for the reference detector that knows it (oracle.ts).
   */
  means: Float32Array;
  /** The day factor each of those means holds (same layout): how much busier than usual the user's day is. */
  dayLevels: Float32Array;
  /** Buckets in which the generator added traffic that `means` does not hold: the outage's retries and the catch-up after it. */
  unmodelled: Uint8Array;
}

export function createColumns(buckets: number, entities: number): Record<EvalField, Int32Array> {
  const columns = {} as Record<EvalField, Int32Array>;
  for (const field of [...COUNTER_FIELDS, ...OPTIONAL_COUNTER_FIELDS]) {
    columns[field] = new Int32Array(buckets * entities);
  }
  return columns;
}
