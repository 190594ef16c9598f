// The detector's public offline API (`sentinel-api/detector`): run the same detection the Lambda
// runs on any traffic you have, e.g. exported aggregates or a replay of logs.
export { detect } from './detect';
export {
  inputFromRecords,
  COUNTER_FIELDS,
  OPTIONAL_COUNTER_FIELDS,
  type DetectInput,
  type InputBucket,
  type BucketRecord,
  type CounterField,
} from './input';
export type { Decision, Detection, SignalHit, SignalName } from './decision';
export type { BaselineSource, PopulationStats } from './baseline';
export type { DetectorSettings, BlockSettings } from './settings';
export { requiredBucketStarts, currentHourStart } from './windows';
export { originalRule, type OriginalAnomaly, type OriginalRuleSettings } from './signals/original-rule';
export {
  planAction,
  historyAfter,
  blockDurationSeconds,
  type Action,
  type EntityHistory,
} from './escalation';
export { compileAllowlist, type Allowlist } from './allowlist';
