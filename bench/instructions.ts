// `npm run bench:instructions [-- --warmup N --requests N --windows N]` (`-- --help`): CPU cost per request as machine
// instructions, counted by valgrind's callgrind, for the bare proxy and the gateway (HS256, Redis
// limiter, blocklist, telemetry), on the same stack as `npm run bench`, with the gateway's background
// timers pushed past the counted window (QUIET_TIMERS): the request path alone. Instruction counts do not
// depend on what else the machine is doing, so the ratio is the same on a quiet and on a noisy
// host, where req/s and CPU time per request move by 2x between runs: the figure to A/B a change
// of the gateway's per-request work with. It is not a throughput: it leaves out cache misses,
// system calls' kernel time and waiting, and both processes run with V8's --predictable (below).
// Needs valgrind (Debian: apt-get install valgrind); about 3 minutes.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runLoad } from './lib/load';
import { startBareProxy, startGatewayProcess, type ServiceProcess } from './lib/processes';
import { RESULTS_DIR, writeResults } from './lib/results';
import { bearerHeaders, gatewayEnv, QUIET_TIMERS, startStack } from './lib/stack';
import { scriptArgs } from '../scripts/lib/script-args';

const args = scriptArgs({
  command: 'npm run bench:instructions --',
  summary:
    'Machine instructions per proxied request, bare proxy and gateway, counted by valgrind (callgrind); needs valgrind.',
  options: {
    warmup: { value: 'N', description: 'requests sent before counting', default: '12000' },
    requests: { value: 'N', description: 'requests counted per window', default: '5000' },
    windows: { value: 'N', description: 'counted windows per process, the least kept', default: '3' },
  },
});
const WARMUP = args.number('warmup', { integer: true, min: 0 });
const REQUESTS = args.number('requests', { integer: true, min: 1 });
const WINDOWS = args.number('windows', { integer: true, min: 1 });
/** Connections of the closed-loop load (each sends its next request when answered). */
const CONNECTIONS = 8;
/** Node starts slowly under valgrind (the whole runtime is instrumented from its first instruction). */
const START_TIMEOUT_MS = 180_000;
/**
 * V8's --predictable: no concurrent compilation or GC threads, fixed seeds. Without it the count
 * moved by up to 40% between runs (when background threads finished their work decided what the
 * counted window held); with it, by 1–4%.
 */
const NODE_FLAGS = ['--predictable'];

function valgrindVersion(): string | undefined {
  try {
    return execFileSync('valgrind', ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

/** `count` requests through the service, closed loop; throws unless every one was answered 200. */
async function load(url: string, headers: Array<Record<string, string>>, count: number): Promise<void> {
  const result = await runLoad({
    origin: url,
    paths: ['/proxy/item'],
    headers,
    mode: 'count',
    amount: count,
    connections: CONNECTIONS,
  });
  const ok = result.codes['200'] ?? 0;
  if (ok !== count)
    throw new Error(
      `${url}: ${ok} of ${count} requests answered 200 (${JSON.stringify(result.codes)}, ${result.clientErrors} client errors)`,
    );
}

/** The `totals:` line of a callgrind dump: instructions executed while instrumentation was on. */
function totalInstructions(file: string): number {
  const match = /^totals:\s+(\d+)/m.exec(readFileSync(file, 'utf8'));
  if (!match) throw new Error(`${file} holds no totals line`);
  return Number(match[1]);
}

/** V8's compilers (TurboFan, Maglev, Sparkplug), by the C++ namespaces of their functions. */
const COMPILER_FUNCTION = /v8::internal::(compiler|maglev|baseline)::/;

/**
 * Instructions spent in V8's compilers: the sum of those functions' own counts, read with
 * callgrind_annotate (shipped with valgrind). Under --predictable the compilers run on the main
 * thread, inside a window when the JIT has not settled yet; printed beside the count, this shows
 * whether the kept window was still compiling (a settled one spends about 0.1% there).
 */
function compilerInstructions(file: string): number {
  const listing = execFileSync('callgrind_annotate', ['--inclusive=no', '--threshold=100', file], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  let sum = 0;
  for (const line of listing.split('\n')) {
    const match = /^\s*([\d,]+)\s+\([^)]*\)\s+(.*)$/.exec(line);
    if (match && COMPILER_FUNCTION.test(match[2]!)) sum += Number(match[1]!.replaceAll(',', ''));
  }
  return sum;
}

/** One counted window of a process. */
interface Window {
  instructionsPerRequest: number;
  withoutCompilers: number;
  /** Its callgrind dump. */
  profile: string;
}

async function measure(
  name: string,
  start: (wrapper: string[]) => Promise<ServiceProcess>,
  headers: Array<Record<string, string>>,
): Promise<Window & { name: string; windows: Window[] }> {
  const profile = join(RESULTS_DIR, 'callgrind', `${name.replace(/\s+/g, '-')}.out`);
  // Counting starts only when told (after the warm-up, once the JIT has settled on this traffic).
  const service = await start([
    'valgrind',
    '--tool=callgrind',
    '--instr-atstart=no',
    `--callgrind-out-file=${profile}`,
  ]);
  try {
    process.stdout.write(`  ${name}: warm-up ${WARMUP} requests under valgrind...`);
    await load(service.url, headers, WARMUP);
    // Several windows, one after the other, and the least kept: a window in which V8 recompiles
    // (and runs deoptimised code meanwhile) counts up to a fifth more than a quiet one, and the
    // least disturbed window is the steady state the native process reaches.
    const windows: Window[] = [];
    for (let w = 1; w <= WINDOWS; w++) {
      execFileSync('callgrind_control', ['--instr=on', String(service.pid)], { stdio: 'ignore' });
      await load(service.url, headers, REQUESTS);
      execFileSync('callgrind_control', ['--instr=off', String(service.pid)], { stdio: 'ignore' });
      execFileSync('callgrind_control', ['--dump', String(service.pid)], { stdio: 'ignore' });
      // Each dump is written as <profile>.<n>, n counting the dumps of the run.
      const file = `${profile}.${w}`;
      const total = totalInstructions(file);
      windows.push({
        instructionsPerRequest: total / REQUESTS,
        withoutCompilers: (total - compilerInstructions(file)) / REQUESTS,
        profile: file,
      });
    }
    const best = windows.reduce((a, b) => (b.instructionsPerRequest < a.instructionsPerRequest ? b : a));
    const all = windows.map((x) => Math.round(x.instructionsPerRequest / 1000)).join(', ');
    process.stdout.write(
      ` ${Math.round(best.instructionsPerRequest).toLocaleString('en-US')} instructions/request` +
        ` (${Math.round(best.withoutCompilers).toLocaleString('en-US')} without V8's compilers;` +
        ` windows ${all}k)\n`,
    );
    return { name, ...best, windows };
  } finally {
    await service.stop('SIGKILL');
  }
}

const version = valgrindVersion();
if (!version) {
  console.error('bench:instructions needs valgrind on PATH (Debian: apt-get install valgrind).');
  process.exit(2);
}
mkdirSync(join(RESULTS_DIR, 'callgrind'), { recursive: true });
console.log(
  `SentinelAPI instruction counts (${version}, Node ${process.version}): ${WARMUP} warm-up, then ${WINDOWS} windows of ${REQUESTS} counted requests each, the least kept`,
);
const stack = await startStack();
try {
  const headers = await bearerHeaders(50);
  const bare = await measure(
    'bare proxy',
    (wrapper) =>
      startBareProxy(stack.upstream.url, { wrapper, nodeArgs: NODE_FLAGS, startTimeoutMs: START_TIMEOUT_MS }),
    headers,
  );
  const gateway = await measure(
    'gateway',
    (wrapper) =>
      startGatewayProcess(gatewayEnv(stack, QUIET_TIMERS), {
        wrapper,
        nodeArgs: NODE_FLAGS,
        startTimeoutMs: START_TIMEOUT_MS,
      }),
    headers,
  );
  const ratio = gateway.instructionsPerRequest / bare.instructionsPerRequest;
  const ratioWithoutCompilers = gateway.withoutCompilers / bare.withoutCompilers;
  console.log(
    `\ngateway / bare proxy: ${ratio.toFixed(2)}x the instructions per request, ` +
      `${ratioWithoutCompilers.toFixed(2)}x without V8's compilers ` +
      `(a gateway at 0.70x the bare proxy's req/s would be at most ${(1 / 0.7).toFixed(2)}x)`,
  );
  console.log(`profiles: callgrind_annotate ${bare.profile} | ${gateway.profile}`);
  const file = writeResults('instructions', {
    at: new Date().toISOString(),
    valgrind: version,
    node: process.version,
    warmup: WARMUP,
    requests: REQUESTS,
    windows: WINDOWS,
    results: [bare, gateway],
    ratio,
    ratioWithoutCompilers,
  });
  console.log(file);
} finally {
  await stack.stop();
}
