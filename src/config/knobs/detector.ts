// Knobs of the anomaly detector. The original's four knobs keep their names and meaning.
import { knob } from '../knob';
import { booleanType, durationType, intType, listType, numberType, stringType } from '../value-types';

export const detectorKnobs = {
  anomalyThreshold: knob(numberType({ min: 1, max: 1000 }), {
    description:
      "Ratio of the current hour to the baseline hourly average that flags a user (the original's rule).",
    presets: { cost: 8, performance: 5 },
    consumers: ['detector', 'template'],
  }),
  anomalyMinRequests: knob(intType({ min: 1, max: 10_000_000 }), {
    description: 'Requests in the current hour below which a user is never flagged by volume.',
    presets: { cost: 40, performance: 60 },
    consumers: ['detector', 'template'],
  }),
  anomalyAutoBlock: knob(booleanType(), {
    description: 'Block flagged entities; false is shadow mode (detect and alert only).',
    presets: { cost: true, performance: true },
    consumers: ['detector', 'template'],
  }),
  anomalyAutoBlockTtlSeconds: knob(durationType({ min: 60, max: 30 * 86400 }), {
    description: 'How long a first automatic block lasts; repeat offenders get doubling durations.',
    presets: { cost: 3600, performance: 3600 },
    consumers: ['detector', 'template'],
  }),
  anomalyMaxBlockTtlSeconds: knob(durationType({ min: 60, max: 365 * 86400 }), {
    description: 'Cap on an escalated block duration.',
    default: 7 * 86400,
    consumers: ['detector', 'template'],
  }),
  anomalyAllowlist: knob(listType(stringType({ maxLength: 256 })), {
    description: 'Users (user:<id>) and IPs or CIDRs (ip:<addr>[/len]) that are reported but never blocked.',
    default: [],
    consumers: ['detector', 'template'],
  }),
};
