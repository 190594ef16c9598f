// The processes a bench or drill starts: the gateway bundle, the bare proxy and the upstream, each a
// child node process that prints {"msg":"listening"} when it serves. Access log lines are counted and
// dropped as they arrive (a bench writes millions); every other line is kept, bounded.
import { spawn, type ChildProcess } from 'node:child_process';
import { GATEWAY_NODE_FLAGS } from '../../runtime/node-flags';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUNDLE, ensureGatewayBundle, ROOT, TEST_SECRET } from '../../test/helpers/gateway';
import { freePort } from '../../test/helpers/ports';

export interface ServiceProcess {
  name: string;
  child: ChildProcess;
  pid: number;
  port: number;
  url: string;
  /** Parsed stdout lines other than access log lines (the last 5,000). */
  lines: Array<Record<string, unknown>>;
  /** Stdout as CloudWatch Logs would bill it: every line and access log lines alone. */
  logVolume(): LogVolume;
  stderr(): string;
  exited(): boolean;
  /** Sends `signal` (default SIGTERM) and resolves with the exit code (null when killed by a signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const MAX_LINES = 5_000;
/** CloudWatch Logs bills each event's UTF-8 bytes plus 26 bytes. */
const BYTES_PER_LOG_EVENT = 26;

export interface LogVolume {
  events: number;
  /** Billed bytes: the lines' UTF-8 bytes plus the per-event overhead. */
  bytes: number;
  accessEvents: number;
  accessBytes: number;
}

export interface SpawnOptions {
  name: string;
  args: string[];
  env: Record<string, string | undefined>;
  /** Extra node flags (e.g. --cpu-prof). */
  nodeArgs?: string[];
  /** A command node runs under (e.g. valgrind and its flags): `wrapper[0] ...wrapper node ...`. */
  wrapper?: string[];
  /** Port the service was told to use, when it does not say. */
  port?: number;
  startTimeoutMs?: number;
}

export async function spawnService(options: SpawnOptions): Promise<ServiceProcess> {
  const [command, ...prefix] = [...(options.wrapper ?? []), process.execPath];
  const child = spawn(command!, [...prefix, ...(options.nodeArgs ?? []), ...options.args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, NODE_NO_WARNINGS: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Array<Record<string, unknown>> = [];
  const volume: LogVolume = { events: 0, bytes: 0, accessEvents: 0, accessBytes: 0 };
  let err = '';
  let buffer = '';
  let listeningPort: number | undefined;
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let exitedYet = false;
  void exit.then(() => (exitedYet = true));

  const listening = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new Error(`${options.name} did not start within ${options.startTimeoutMs ?? 30_000} ms: ${err}`),
        ),
      options.startTimeoutMs ?? 30_000,
    );
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk;
      let start = 0;
      let nl: number;
      while ((nl = buffer.indexOf('\n', start)) !== -1) {
        const line = buffer.slice(start, nl);
        start = nl + 1;
        const billed = Buffer.byteLength(line) + BYTES_PER_LOG_EVENT;
        volume.events++;
        volume.bytes += billed;
        // The access log line's second field is its type: a cheap test, no parse.
        if (line.includes('"type":"request"')) {
          volume.accessEvents++;
          volume.accessBytes += billed;
          continue;
        }
        let parsed: Record<string, unknown>;
        try {
          parsed = JSON.parse(line) as Record<string, unknown>;
        } catch {
          parsed = { raw: line };
        }
        lines.push(parsed);
        if (lines.length > MAX_LINES) lines.splice(0, lines.length - MAX_LINES);
        if (parsed.msg === 'listening') {
          listeningPort = typeof parsed.port === 'number' ? parsed.port : options.port;
          clearTimeout(timer);
          resolve();
        }
      }
      buffer = buffer.slice(start);
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      err = (err + chunk).slice(-20_000);
    });
    void exit.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${options.name} exited with ${code} before listening: ${err}`));
    });
  });
  try {
    await listening;
  } catch (error) {
    if (child.exitCode === null) child.kill('SIGKILL');
    throw error;
  }
  const port = listeningPort ?? options.port ?? 0;
  return {
    name: options.name,
    child,
    pid: child.pid!,
    port,
    url: `http://127.0.0.1:${port}`,
    lines,
    logVolume: () => ({ ...volume }),
    stderr: () => err,
    exited: () => exitedYet,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exit;
    },
  };
}

const tsEntry = (relative: string) => ['--import', 'tsx', fileURLToPath(new URL(relative, import.meta.url))];

export interface BenchUpstream extends ServiceProcess {
  /** Requests answered so far (control requests excluded). */
  served(): Promise<number>;
  /** Delays every later answer by `ms` (0: none). */
  setDelay(ms: number): Promise<void>;
}

/** The bench upstream (upstream-server.ts); `port` to come back on the same port after a kill. */
export async function startBenchUpstream(port?: number): Promise<BenchUpstream> {
  const service = await spawnService({
    name: 'upstream',
    args: tsEntry('./upstream-server.ts'),
    env: { UPSTREAM_PORT: String(port ?? 0) },
  });
  const control = async (path: string) =>
    (await (await fetch(`${service.url}/__bench/${path}`)).json()) as { served: number };
  return {
    ...service,
    served: async () => (await control('stats')).served,
    setDelay: async (ms) => void (await control(`delay?ms=${ms}`)),
  };
}

export function startBareProxy(
  upstream: string,
  options: Pick<SpawnOptions, 'nodeArgs' | 'wrapper' | 'startTimeoutMs'> = {},
): Promise<ServiceProcess> {
  return spawnService({
    ...options,
    name: 'bare proxy',
    args: tsEntry('../bare-proxy.ts'),
    env: { BARE_PROXY_UPSTREAM: upstream },
  });
}

let privateBundle: string | undefined;

/**
 * Builds dist/gateway/server.mjs when it is missing or stale, and copies it (one self-contained file)
 * to a private folder, so that a build running meanwhile in the same checkout (tsup cleans dist/)
 * cannot take it away between two starts of a drill.
 */
export async function prepareGatewayBundle(): Promise<string> {
  if (privateBundle && existsSync(privateBundle)) return privateBundle;
  await ensureGatewayBundle();
  const dir = mkdtempSync(join(tmpdir(), 'sentinel-bench-'));
  const target = join(dir, 'server.mjs');
  copyFileSync(BUNDLE, target);
  if (existsSync(`${BUNDLE}.map`)) copyFileSync(`${BUNDLE}.map`, `${target}.map`);
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  privateBundle = target;
  return target;
}

/** The built gateway bundle, configured by environment only, as the container runs it. */
export async function startGatewayProcess(
  env: Record<string, string>,
  options: Pick<SpawnOptions, 'nodeArgs' | 'wrapper' | 'startTimeoutMs'> & {
    name?: string;
    /** Another build of the bundle (A/B runs). */ bundle?: string;
  } = {},
): Promise<ServiceProcess> {
  const [port, bundle] = await Promise.all([freePort(), options.bundle ?? prepareGatewayBundle()]);
  return spawnService({
    name: options.name ?? 'gateway',
    args: [bundle],
    // As the container runs it (runtime/node-flags.ts), then whatever the caller adds.
    nodeArgs: [...GATEWAY_NODE_FLAGS, ...(options.nodeArgs ?? [])],
    wrapper: options.wrapper,
    startTimeoutMs: options.startTimeoutMs,
    port,
    env: { SENTINEL_API_JWT_SECRET_KEY: TEST_SECRET, SENTINEL_API_PORT: String(port), ...env },
  });
}

/** Current and peak resident memory of a process (Linux /proc), in bytes. */
export function memoryOf(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) =>
    Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}
