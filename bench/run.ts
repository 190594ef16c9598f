// `npm run bench`: the gateway's overhead against its own floors, on loopback, bounded in time.
// Scenarios: direct (load straight at the upstream), bare proxy (Hono + undici, nothing else), the
// gateway bundle with HS256 tokens, and the same with RS256 tokens from a JWKS URL. Each is driven
// to saturation and at a fixed 1,000 req/s, alternating over rounds; then backend calls per request
// and memory while streaming. Prints tables, writes JSON under bench/results/, exits 1 when a bar is
// missed. Options (`-- --help`): --rounds N, --duration S, --rate-duration S, --connections N, --quick, --profile
// (the HS256 gateway runs with --cpu-prof; the profile lands under bench/results/profiles/ and the
// busiest sources are printed).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { scriptArgs } from '../scripts/lib/script-args';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { startJwksServer } from '../test/helpers/gateway';
import { measureAccounting } from './lib/accounting';
import { describeStalls, measureHostStalls } from './lib/host-stalls';
import { describeMachine, loadWarning, machineInfo } from './lib/machine';
import { measureStreamingMemory, MiB } from './lib/memory';
import {
  prepareGatewayBundle,
  startBareProxy,
  startGatewayProcess,
  type ServiceProcess,
} from './lib/processes';
import { summarizeProfile } from './lib/profile-summary';
import { RESULTS_DIR, writeResults } from './lib/results';
import { runRounds, type Scenario, type ScenarioSummary } from './lib/rounds';
import { bearerHeaders, gatewayEnv, startStack } from './lib/stack';
import { round } from './lib/stats';
import { formatTable } from './lib/table';

const BARS = {
  minRatioToBare: 0.7,
  maxP99AboveBareMs: 0.4,
  redisCommandsPerRequest: 1,
  dynamoCallsPerRequest: 0,
  maxRssGrowthMiB: 20,
} as const;
const USERS = 100;
const FIXED_RATE = 1000;
/**
 * Seconds of each fixed-rate round sent but not counted. The load generator is a new process per
 * round: in its first second its code is cold and it opens its connections, and that second alone
 * held 40 to 100 requests over 3 ms (of 8,000, more than the 1% a p99 reads).
 */
const RATE_WARMUP = 1;

const args = scriptArgs({
  command: 'npm run bench --',
  summary:
    'Throughput and latency of the upstream alone, a bare proxy and the gateway (HS256 and JWKS), alternating over rounds; backend calls per request; memory while streaming.',
  options: {
    rounds: { value: 'N', description: 'alternating rounds (the tables show the median)', default: '3' },
    duration: { value: 'S', description: 'seconds of load per scenario at saturation', default: '8' },
    'rate-duration': { value: 'S', description: 'seconds per scenario at the fixed rate', default: '8' },
    connections: { value: 'N', description: 'keep-alive connections at saturation', default: '32' },
    quick: { description: 'one round of 3 s (about a minute)' },
    profile: { description: 'run the gateway under node --cpu-prof and print where its time goes' },
  },
});
const whole = { integer: true, min: 1 };
const quick = args.flag('quick');
const rounds = quick ? 1 : args.number('rounds', whole);
const duration = quick ? 3 : args.number('duration', { min: 1 });
const rateDuration = quick ? 3 : args.number('rate-duration', { min: 1 });
const connections = args.number('connections', whole);

async function rs256Headers(count: number) {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'bench-rs256', alg: 'RS256', use: 'sig' };
  const tokens = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      new SignJWT({ sub: `rs-user-${i}` })
        .setProtectedHeader({ alg: 'RS256', kid: jwk.kid })
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(privateKey),
    ),
  );
  return { jwk, headers: tokens.map((t) => ({ authorization: `Bearer ${t}` })) };
}

/** The lowest p99 of a scenario's rounds: the round least disturbed by other work on the machine. */
function bestP99(s: ScenarioSummary): number {
  return Math.min(...s.samples.map((x) => x.result.latency.p99));
}

function ratioRows(summaries: ScenarioSummary[]) {
  const direct = summaries.find((s) => s.name === 'direct')!;
  const bare = summaries.find((s) => s.name === 'bare proxy')!;
  return summaries.map((s) => [
    s.name,
    s.rps,
    s.p50,
    s.p99,
    s.p999,
    s.errors,
    s.rps / direct.rps,
    s.rps / bare.rps,
    s.serverCpuUs,
  ]);
}

async function main(): Promise<void> {
  const started = Date.now();
  const machine = machineInfo();
  console.log(`SentinelAPI bench on ${describeMachine(machine)}, load ${machine.load1}`);
  const warning = loadWarning(machine);
  if (warning) console.log(`warning: ${warning}`);

  const stack = await startStack();
  const services: ServiceProcess[] = [];
  const rs = await rs256Headers(USERS);
  const jwks = await startJwksServer([rs.jwk]);
  try {
    const hs = await bearerHeaders(USERS);
    const bare = await startBareProxy(stack.upstream.url);
    services.push(bare);
    const profileDir = join(RESULTS_DIR, 'profiles', new Date().toISOString().replace(/[:.]/g, '-'));
    const gateway = await startGatewayProcess(gatewayEnv(stack), {
      nodeArgs: args.flag('profile') ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
    });
    services.push(gateway);
    const gatewayJwks = await startGatewayProcess(
      gatewayEnv(stack, { SENTINEL_API_JWT_SECRET_KEY: '', SENTINEL_API_JWT_JWKS_URL: jwks.url }),
      { name: 'gateway (JWKS)' },
    );
    services.push(gatewayJwks);

    // The same request bytes everywhere (the floors get the bearer header too and ignore it).
    const path = '/proxy/items/42';
    const scenarios: Scenario[] = [
      {
        name: 'direct',
        origin: stack.upstream.url,
        paths: ['/items/42'],
        headers: hs,
        pids: [stack.upstream.pid],
      },
      { name: 'bare proxy', origin: bare.url, paths: [path], headers: hs, pids: [bare.pid] },
      { name: 'gateway', origin: gateway.url, paths: [path], headers: hs, pids: [gateway.pid] },
      {
        name: 'gateway JWKS',
        origin: gatewayJwks.url,
        paths: [path],
        headers: rs.headers,
        pids: [gatewayJwks.pid],
      },
    ];
    const progress = (s: Scenario, r: number, sample: { result: { rps: number } }) =>
      process.stdout.write(`  round ${r + 1}/${rounds} ${s.name}: ${Math.round(sample.result.rps)} req/s\n`);

    console.log(`warm-up, then ${rounds} rounds x ${duration} s at saturation (${connections} connections)`);
    await runRounds(scenarios, { mode: 'saturate', connections, durationSec: 2 }, 1);
    const saturated = await runRounds(
      scenarios,
      { mode: 'saturate', connections, durationSec: duration },
      rounds,
      progress,
    );
    // Just before the fixed-rate rounds, whose tail it explains, with nothing else running.
    const stalls = await measureHostStalls(quick ? 1 : 3);
    console.log(
      `${rounds} rounds x ${rateDuration} s at ${FIXED_RATE} req/s (after ${RATE_WARMUP} s not counted)`,
    );
    const fixed = await runRounds(
      scenarios,
      {
        mode: 'rate',
        rate: FIXED_RATE,
        connections: 64,
        durationSec: rateDuration,
        warmupSec: RATE_WARMUP,
      },
      rounds,
    );

    console.log('backend calls per request, then memory while streaming');
    const accounting = await measureAccounting(stack, hs, quick ? 5_000 : 20_000);
    const memory = await measureStreamingMemory(stack, hs[0]!);

    const byName = (list: ScenarioSummary[], name: string) => list.find((s) => s.name === name)!;
    const ratio = byName(saturated, 'gateway').rps / byName(saturated, 'bare proxy').rps;
    const p99Above = byName(fixed, 'gateway').p99 - byName(fixed, 'bare proxy').p99;
    const bars = [
      {
        bar: `gateway >= ${BARS.minRatioToBare} x bare proxy req/s`,
        value: round(ratio, 2),
        ok: ratio >= BARS.minRatioToBare,
      },
      {
        bar: `p99 at ${FIXED_RATE} req/s <= bare + ${BARS.maxP99AboveBareMs} ms`,
        value: `${p99Above >= 0 ? '+' : ''}${round(p99Above, 3)} ms`,
        ok: p99Above <= BARS.maxP99AboveBareMs,
      },
      {
        bar: 'Redis commands per proxied request = 1',
        value: round(accounting.redisPerRequest, 4),
        ok: accounting.redisCommands === accounting.proxied,
      },
      {
        bar: 'DynamoDB calls per proxied request = 0',
        value: round(accounting.dynamoPerRequest, 4),
        ok: accounting.dynamoCalls === 0,
      },
      {
        bar: `RSS growth < ${BARS.maxRssGrowthMiB} MiB for ${memory.bytesEachWay / MiB} MiB each way`,
        value: `${round(memory.rssGrowth / MiB, 1)} MiB (peak +${round(memory.peakGrowth / MiB, 1)})`,
        ok: memory.rssGrowth < BARS.maxRssGrowthMiB * MiB,
      },
    ];

    const headers = [
      'scenario',
      'req/s',
      'p50 ms',
      'p99 ms',
      'p99.9 ms',
      'errors',
      'x direct',
      'x bare',
      'cpu µs/req',
    ];
    console.log(
      `\nSaturation: ${connections} connections, ${duration} s, median of ${rounds} rounds, load from ${saturated[0]!.samples[0]!.result.tool}`,
    );
    console.log(formatTable(headers, ratioRows(saturated)));
    console.log(`\nFixed rate: ${FIXED_RATE} req/s, ${rateDuration} s, median of ${rounds} rounds`);
    console.log(
      formatTable(
        [
          'scenario',
          'p50 ms',
          'p99 ms',
          'p99.9 ms',
          'errors',
          'p50 - bare ms',
          'p99 - bare ms',
          'best-round p99 ms',
          'cpu µs/req',
        ],
        fixed.map((s) => [
          s.name,
          s.p50,
          s.p99,
          s.p999,
          s.errors,
          s.p50 - byName(fixed, 'bare proxy').p50,
          s.p99 - byName(fixed, 'bare proxy').p99,
          bestP99(s),
          s.serverCpuUs,
        ]),
      ),
    );
    console.log(describeStalls(stalls));
    console.log(
      `\nPer proxied request (${accounting.proxied} requests): Redis ${JSON.stringify(accounting.redisByCommand)}, ` +
        `DynamoDB ${accounting.dynamoCalls} calls; the flush on SIGTERM then wrote ${accounting.flushCalls} calls ` +
        `(${accounting.flushWriteUnits} write units) for all of them.`,
    );
    console.log(
      `Streaming ${memory.bytesEachWay / MiB} MiB up and ${memory.bytesEachWay / MiB} MiB down: RSS ` +
        `${round(memory.rssBefore / MiB, 1)} -> ${round(memory.rssAfter / MiB, 1)} MiB, peak ${round(memory.peak / MiB, 1)} MiB.`,
    );
    console.log(
      `\nBars\n${formatTable(
        ['bar', 'measured', 'met'],
        bars.map((b) => [b.bar, String(b.value), b.ok ? 'yes' : 'NO']),
      )}`,
    );

    const end = machineInfo();
    const file = writeResults('bench', {
      date: new Date().toISOString(),
      command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
      machine: { ...machine, load1AtEnd: end.load1 },
      options: { rounds, duration, rateDuration, connections, users: USERS, fixedRate: FIXED_RATE },
      saturated: saturated.map(({ samples, ...s }) => ({ ...s, perRound: samples.map((x) => x.result.rps) })),
      fixed: fixed.map(({ samples, ...s }) => ({
        ...s,
        perRoundP99: samples.map((x) => x.result.latency.p99),
      })),
      hostStalls: stalls,
      accounting,
      memory,
      bars,
      seconds: Math.round((Date.now() - started) / 1000),
    });
    console.log(
      `\n${file} (${Math.round((Date.now() - started) / 1000)} s, load ${machine.load1} -> ${end.load1})`,
    );
    if (args.flag('profile')) {
      await gateway.stop('SIGTERM');
      const [file] = readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile'));
      const shares = summarizeProfile(join(profileDir, file!), await prepareGatewayBundle());
      console.log(`\nGateway profile (${join(profileDir, file!)}), share of busy time:`);
      console.log(
        formatTable(
          ['where', '%'],
          shares.slice(0, 25).map((x) => [x.where, x.share * 100]),
        ),
      );
    }
    if (bars.some((b) => !b.ok)) process.exitCode = 1;
  } finally {
    await Promise.allSettled(services.map((s) => s.stop('SIGTERM')));
    await jwks.stop();
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
