// `npm run eval:detector [-- --users N --days N --seed N --episodes N --preset cost|performance
// --markdown FILE --explain TYPE|false --oracle]` (`-- --help` lists them): prints the table, ours beside the original's rule,
// and the bars of issue 26; with --oracle, what the known-rate references reach (oracle.ts).
// Exits 1 when a bar is missed. SENTINEL_API_ANOMALY_* variables in the environment are honoured,
// so a knob can be tried without editing code.
import { writeFileSync } from 'node:fs';
import type { Preset } from '../../core/config/knob';
import { evaluate } from './evaluate';
import { DEFAULT_SCENARIO, generateTraffic } from './generate';
import { ORACLE_BUDGETS, ORACLE_KNOWLEDGE, runOracle, type OracleAction } from './oracle';
import { createProber, episodeSpan, explainEpisodes, explainFalseBlocks } from './explain';
import { ABUSE_TYPES, type Traffic } from './traffic';
import { renderBars, renderOracle, renderTable } from './report';
import { scriptArgs } from '../../scripts/lib/script-args';

const args = scriptArgs({
  command: 'npm run eval:detector --',
  summary:
    'Replays seeded, labelled traffic through the detector and the original rule; prints the table and the bars of issue 26 (exit 1 when one is missed).',
  options: {
    users: { value: 'N', description: 'benign users', default: String(DEFAULT_SCENARIO.users) },
    days: {
      value: 'N',
      description: 'days of traffic, warm-up included',
      default: String(DEFAULT_SCENARIO.days),
    },
    seed: { value: 'N', description: 'seed of the generator', default: String(DEFAULT_SCENARIO.seed) },
    episodes: {
      value: 'N',
      description: 'episodes per abuse type',
      default: String(DEFAULT_SCENARIO.episodesPerType),
    },
    preset: {
      value: 'NAME',
      description: 'preset of the knobs',
      default: 'cost',
      choices: ['cost', 'performance'],
    },
    markdown: { value: 'FILE', description: 'also write the table to FILE' },
    explain: {
      value: 'TYPE',
      description: 'explain each episode of an abuse type, or every false block with "false"',
      choices: [...ABUSE_TYPES, 'false'],
    },
    oracle: { description: 'also run the known-rate references (oracle.ts)' },
  },
});
const whole = { integer: true, min: 1 };
const scenario = {
  ...DEFAULT_SCENARIO,
  users: args.number('users', whole),
  days: args.number('days', { integer: true, min: DEFAULT_SCENARIO.warmupDays + 1 }),
  seed: args.number('seed', { integer: true }),
  episodesPerType: args.number('episodes', whole),
};
const preset = args.string('preset') as Preset;
const explain = args.string('explain');
let probes: ReturnType<typeof createProber>['probes'] | undefined;
const result = evaluate(
  scenario,
  preset,
  process.env,
  explain && explain !== 'false'
    ? (traffic: Traffic, config) => {
        const watch = new Map<number, Array<[number, number]>>();
        for (const ep of traffic.episodes.filter((x) => x.type === explain)) {
          watch.set(ep.entity, [...(watch.get(ep.entity) ?? []), episodeSpan(ep)]);
        }
        const prober = createProber(config, watch);
        probes = prober.probes;
        return prober.observer;
      }
    : undefined,
);
const header =
  `Detector evaluation: seed ${scenario.seed}, ${scenario.users} users (+ new users, abusive accounts and IPs: ` +
  `${result.entities} entities), ${scenario.days} days (${scenario.warmupDays} warm-up), preset ${preset}; ` +
  `${result.runs} runs, ${result.benignUserDays} benign user-days.`;
const table = renderTable(result.ours, result.original);
console.log(`${header}\n\n${table}\n\n${renderBars(result.bars)}\n`);
console.log(`false blocks and throttles by signal, ours: ${JSON.stringify(result.ours.falseBySignal)}`);
console.log(
  `generate ${(result.generateMs / 1000).toFixed(1)} s, detect ${(result.detectMs / 1000).toFixed(1)} s ` +
    `(${(result.detectMs / result.runs).toFixed(1)} ms/run), total ${(result.totalMs / 1000).toFixed(1)} s`,
);
if (explain === 'false') console.log(`\n${explainFalseBlocks(result.traffic, result.oursBlocks)}`);
else if (explain) console.log(`\n${explainEpisodes(result.traffic, result.oursBlocks, explain, probes!)}`);
if (args.flag('oracle')) {
  // On traffic of its own: the replay above has enforced our blocks in its columns.
  const traffic = generateTraffic(scenario);
  for (const action of ['block', 'throttle'] as const satisfies readonly OracleAction[]) {
    const references = ORACLE_KNOWLEDGE.map((knowledge) => ({
      knowledge,
      ...runOracle(traffic, knowledge, ORACLE_BUDGETS[action], action),
    }));
    console.log(`\n${renderOracle(result.ours, references, action)}`);
  }
}
const markdown = args.string('markdown');
if (markdown) writeFileSync(markdown, `${header}\n\n${table}\n`);
process.exitCode = result.bars.every((b) => b.ok) ? 0 : 1;
