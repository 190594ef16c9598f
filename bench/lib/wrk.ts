// wrk, when installed (apt-get install wrk), generates the saturation load with a fraction of
// autocannon's CPU, which leaves more of a small machine to the server under test. A Lua script
// rotates through the users' headers and prints the summary as JSON (latencies in microseconds).
// wrk reports non-2xx/3xx answers as one count, so they are filed under 5xx unless none occurred.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requestAt, type LoadResult, type LoadSpec } from './load-spec';

let available: boolean | undefined;

/** True when `wrk` is on PATH and SENTINEL_BENCH_TOOL is not `autocannon`. */
export function wrkAvailable(): boolean {
  if (process.env.SENTINEL_BENCH_TOOL === 'autocannon') return false;
  if (available === undefined) {
    try {
      execFileSync('sh', ['-c', 'command -v wrk'], { stdio: 'ignore' });
      available = true;
    } catch {
      available = false;
    }
  }
  return available;
}

function script(spec: LoadSpec): string {
  const count = spec.sequence?.length ?? Math.max(spec.headers.length, spec.paths.length);
  const requests = Array.from({ length: count }, (_, i) => requestAt(spec, i));
  // wrk.format() sends only the headers it is given: Host too (HTTP/1.1 servers refuse a request without it).
  const host = new URL(spec.origin).host;
  const lua = requests
    .map(({ path, headers }) => {
      const fields = Object.entries({ Host: host, ...headers })
        .map(([name, value]) => `[${JSON.stringify(name)}] = ${JSON.stringify(value)}`)
        .join(', ');
      return `wrk.format("GET", ${JSON.stringify(path)}, { ${fields} })`;
    })
    .join(',\n  ');
  return `
local requests = {
  ${lua}
}
local i = 0
request = function()
  i = i + 1
  if i > #requests then i = 1 end
  return requests[i]
end
done = function(summary, latency, _)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"duration":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,' ..
    '"p50":%d,"p99":%d,"p999":%d,"max":%d}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency:percentile(99.9), latency.max))
end
`;
}

interface WrkSummary {
  requests: number;
  duration: number;
  connect: number;
  read: number;
  write: number;
  status: number;
  timeout: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
}

export async function saturateWithWrk(spec: Extract<LoadSpec, { mode: 'saturate' }>): Promise<LoadResult> {
  const dir = mkdtempSync(join(tmpdir(), 'sentinel-wrk-'));
  const file = join(dir, 'load.lua');
  writeFileSync(file, script(spec));
  try {
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn(
        'wrk',
        [
          '-t1',
          `-c${spec.connections}`,
          `-d${spec.durationSec}s`,
          '--timeout',
          '10s',
          '-s',
          file,
          spec.origin,
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let text = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      child.on('error', reject);
      child.on('close', (code) =>
        code === 0 ? resolve(text) : reject(new Error(`wrk exited with ${code}`)),
      );
    });
    const line = out.split('\n').find((l) => l.startsWith('{"requests"'));
    if (!line) throw new Error(`wrk printed no summary: ${out}`);
    const s = JSON.parse(line) as WrkSummary;
    const clientErrors = s.connect + s.read + s.write + s.timeout;
    const answered = s.requests;
    const durationMs = s.duration / 1000;
    return {
      tool: 'wrk',
      sent: answered + clientErrors,
      completed: answered,
      statuses: { '2xx': answered - s.status, '3xx': 0, '4xx': 0, '5xx': s.status },
      codes: {},
      clientErrors,
      durationMs,
      rps: (answered * 1000) / durationMs,
      latency: { p50: s.p50 / 1000, p99: s.p99 / 1000, p999: s.p999 / 1000, max: s.max / 1000 },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
