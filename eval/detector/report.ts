// The evaluation's table, ours beside the original's rule, as Markdown (readable in a terminal and
// pasted into docs/evaluation.md as is).
import type { Bar, Score, TypeScore } from './metrics';
import type { OracleAction, OracleKnowledge, OracleResult } from './oracle';
import { ORACLE_TYPES } from './oracle';
import { ABUSE_TYPES, TRAP_NAMES } from './traffic';

const pct = (x: number) => (Number.isNaN(x) ? '–' : `${(x * 100).toFixed(x < 0.01 && x > 0 ? 2 : 1)}%`);
const num = (x: number, digits = 2) => (Number.isNaN(x) ? '–' : x.toFixed(digits));
const delay = (s: TypeScore) => (s.detected === 0 ? '–' : `${num(s.medianDelay, 0)} / ${num(s.p90Delay, 0)}`);

export function renderTable(ours: Score, original: Score): string {
  const lines = [
    '| Abuse (episodes) | Recall, any action | Recall, block | Delay in runs (median / p90) | Recall, original | Delay, original |',
    '|---|---|---|---|---|---|',
  ];
  for (const type of ABUSE_TYPES) {
    const a = ours.byType[type];
    const b = original.byType[type];
    lines.push(
      `| ${type} (${a.episodes}) | ${num(a.recall)} | ${num(a.recallBlock)} | ${delay(a)} | ${num(b.recall)} | ${delay(b)} |`,
    );
  }
  const o = ours.organic;
  lines.push(
    `| **all abuse** (${ours.overall.episodes}) | **${num(ours.overall.recall)}** | **${num(ours.overall.recallBlock)}** | ${delay(ours.overall)} | **${num(original.overall.recall)}** | ${delay(original.overall)} |`,
    '',
    '| Benign side | Ours | Original |',
    '|---|---|---|',
    `| Block precision (true blocks / blocks) | ${num(ours.precision, 3)} (${ours.blocks} blocks) | ${num(original.precision, 3)} (${original.blocks} blocks) |`,
    `| False blocks per 10,000 benign user-days | ${num(ours.falsePer10kUserDays, 2)} (${ours.falseBlocks}) | ${num(original.falsePer10kUserDays, 1)} (${original.falseBlocks}) |`,
    `| False throttles per 10,000 benign user-days, outside organic bursts | ${num(ours.falseThrottlesPer10kUserDays, 1)} (${ours.falseThrottles} of ${ours.throttles} throttles) | – |`,
    `| Harm: benign requests refused by throttles, outside organic bursts | ${pct(ours.harm.share)} (${ours.harm.refused} of ${ours.harm.requests}) | – |`,
    `| Organic bursts (${o.bursts}): throttled / blocked | ${o.throttled} / ${o.blocked} | – |`,
    `| Organic bursts: harm (requests refused) | ${pct(ours.organicHarm.share)} | – |`,
    `| Organic bursts: lowest throttle, x the usual hourly level | ${Number.isFinite(o.minThrottleRatio) ? num(o.minThrottleRatio, 1) : '–'} | – |`,
  );
  for (const name of TRAP_NAMES) {
    lines.push(
      `| Trap: ${name} (${ours.trapSize[name]} users), share blocked / requests refused | ${pct(ours.trapShare[name])} / ${pct(ours.trapHarm[name].share)} | ${pct(original.trapShare[name])} |`,
    );
  }
  return lines.join('\n');
}

export function renderBars(bars: Bar[]): string {
  return bars.map((b) => `${b.ok ? 'PASS' : 'FAIL'}  ${b.label}`).join('\n');
}

const KNOWLEDGE_WORDS: Record<OracleKnowledge, string> = {
  rates: 'told true rates',
  usual: 'told usual rates',
  'usual+today': "usual rates + today's level from 2 h",
  'usual+today-raw': "usual rates + today's level from 2 h, no prior",
  'learned+today': "usual rates learned from 7 days + today's level from 2 h",
};

/**
 * Recall of the known-rate references beside ours, at one budget: blocks beside our recall by block
 * and false blocks, throttles beside our recall by any action and false throttles.
 */
export function renderOracle(
  ours: Score,
  references: ReadonlyArray<OracleResult & { knowledge: OracleKnowledge }>,
  action: OracleAction,
): string {
  const recall = (s: Score, type: (typeof ORACLE_TYPES)[number]) =>
    action === 'block' ? s.byType[type].recallBlock : s.byType[type].recall;
  const falseRate = (s: Score) =>
    action === 'block' ? s.falsePer10kUserDays : s.falseThrottlesPer10kUserDays;
  const lines = [
    `| Abuse, recall by ${action} | Ours | ${references.map((r) => KNOWLEDGE_WORDS[r.knowledge]).join(' | ')} |`,
    `|---|---|${references.map(() => '---').join('|')}|`,
  ];
  for (const type of ORACLE_TYPES) {
    lines.push(
      `| ${type} | ${num(recall(ours, type))} | ${references.map((r) => num(recall(r.score, type))).join(' | ')} |`,
    );
  }
  lines.push(
    `| false ${action}s per 10,000 benign user-days${action === 'throttle' ? ', outside organic bursts' : ''} | ${num(falseRate(ours))} | ${references
      .map((r) => `${num(falseRate(r.score))} (z >= ${num(r.threshold, 2)})`)
      .join(' | ')} |`,
  );
  return lines.join('\n');
}
