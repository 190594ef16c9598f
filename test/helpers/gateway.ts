// Starting the gateway in tests: in-process (createGateway + a real HTTP server on loopback) for most
// cases, or the built bundle as a child process (SIGTERM, memory). Also a JWKS server and token minting.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SignJWT, type JWK, type JWTPayload } from 'jose';
import { loadConfig } from '../../core/config/load';
import type { ResolvedConfig } from '../../core/config/resolve';
import { createGateway, type Gateway, type GatewayOverrides } from '../../runtime/gateway';
import { memoryLineSink } from '../../runtime/lib/line-writer';
import { serveGateway, type RunningGateway } from '../../runtime/serve';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BUNDLE = join(ROOT, 'dist/gateway/server.mjs');
export const TEST_SECRET = 'test-secret-0123456789-abcdefghijklmnopqrstuvwxyz';

export function gatewayConfig(env: Record<string, string | undefined>): ResolvedConfig {
  return loadConfig({
    scope: 'gateway',
    noEnvFile: true,
    env: { SENTINEL_API_JWT_SECRET_KEY: TEST_SECRET, ...env },
  });
}

export interface TestGateway {
  url: string;
  gateway: Gateway;
  running: RunningGateway;
  /** Access log and metrics lines written so far. */
  lines: string[];
  close(): Promise<void>;
}

/** The real wiring from env-style config, served on a random loopback port. */
export async function startGateway(
  env: Record<string, string | undefined>,
  overrides: GatewayOverrides = {},
): Promise<TestGateway> {
  const lines = memoryLineSink();
  const gateway = await createGateway(gatewayConfig(env), { lines, ...overrides });
  await gateway.start();
  const running = await serveGateway(gateway, { port: 0, hostname: '127.0.0.1', shutdownGraceMs: 2000 });
  return { url: running.url, gateway, running, lines: lines.lines, close: () => running.shutdown('test') };
}

export async function signHs256(
  claims: JWTPayload,
  options: { secret?: string; expiresIn?: string | number } = {},
) {
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt();
  if (options.expiresIn !== undefined) jwt.setExpirationTime(options.expiresIn);
  return jwt.sign(new TextEncoder().encode(options.secret ?? TEST_SECRET));
}

/** A token for `sub` valid for an hour. */
export function tokenFor(sub: string): Promise<string> {
  return signHs256({ sub, jti: `jti-${sub}` }, { expiresIn: '1h' });
}

export interface JwksServer {
  url: string;
  keys: JWK[];
  fetches(): number;
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** Serves `{ keys }` on loopback; stop/start keep the port so the gateway's URL stays valid. */
export async function startJwksServer(keys: JWK[] = []): Promise<JwksServer> {
  let count = 0;
  const state = { keys };
  let server: Server | undefined;
  let port = 0;
  const start = async () => {
    server = createServer((_req, res) => {
      count++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: state.keys }));
    });
    await new Promise<void>((r) => server!.listen(port, '127.0.0.1', () => r()));
    port = (server.address() as AddressInfo).port;
  };
  await start();
  return {
    get url() {
      return `http://127.0.0.1:${port}/.well-known/jwks.json`;
    },
    get keys() {
      return state.keys;
    },
    set keys(value: JWK[]) {
      state.keys = value;
    },
    fetches: () => count,
    start,
    async stop() {
      const s = server;
      server = undefined;
      if (!s) return;
      s.closeAllConnections();
      await new Promise<void>((r) => s.close(() => r()));
    },
  };
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds dist/gateway/server.mjs when it is missing or older than runtime/ and src/ (CI builds first). */
export async function ensureGatewayBundle(): Promise<void> {
  const built = existsSync(BUNDLE) ? statSync(BUNDLE).mtimeMs : 0;
  if (built > Math.max(newestSource(join(ROOT, 'runtime')), newestSource(join(ROOT, 'src')))) return;
  const { build } = await import('tsup');
  const configs = (await import('../../tsup.config')).default;
  const list = (Array.isArray(configs) ? configs : [configs]) as Array<Record<string, unknown>>;
  const entry = list.find((c) => c.outDir === 'dist/gateway');
  if (!entry) throw new Error('tsup.config.ts has no dist/gateway entry');
  await build({ ...entry, config: false, silent: true } as Parameters<typeof build>[0]);
}

export interface BundleProcess {
  child: ChildProcess;
  url: string;
  /** Every stdout line so far, parsed when JSON. */
  lines: Array<Record<string, unknown>>;
  stderr(): string;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function spawnGatewayBundle(env: Record<string, string>, port: number): Promise<BundleProcess> {
  const child = spawn(process.execPath, [BUNDLE], {
    env: {
      PATH: process.env.PATH,
      SENTINEL_API_JWT_SECRET_KEY: TEST_SECRET,
      SENTINEL_API_PORT: String(port),
      NODE_NO_WARNINGS: '1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Array<Record<string, unknown>> = [];
  let err = '';
  let buffer = '';
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const listening = new Promise<void>((resolveListening, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) !== -1) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        try {
          const parsed = JSON.parse(line) as Record<string, unknown>;
          lines.push(parsed);
          if (parsed.msg === 'listening') resolveListening();
        } catch {
          lines.push({ raw: line });
        }
      }
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      err += chunk;
    });
    void exited.then((code) => reject(new Error(`gateway exited with ${code} before listening: ${err}`)));
  });
  await listening;
  return {
    child,
    url: `http://127.0.0.1:${port}`,
    lines,
    stderr: () => err,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Polls `check` until it returns true or the deadline passes. */
export async function eventually(
  check: () => Promise<boolean> | boolean,
  timeoutMs = 5000,
  stepMs = 50,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
