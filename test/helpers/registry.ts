// A real OCI registry on loopback: Debian's `docker-registry` (the CNCF distribution registry) on a
// random port with its storage in a temp dir, plus an optional counting proxy in front of it so
// tests can assert on the requests and bytes a client sent. Tests must stop it when done.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports';
import { requireServices } from './services';

export const REGISTRY_TOOLS = ['docker-registry', 'skopeo', 'umoci'] as const;

function onPath(binary: string): boolean {
  try {
    return execFileSync('sh', ['-c', `command -v ${binary}`], { encoding: 'utf8' }).trim() !== '';
  } catch {
    return false;
  }
}

/** True when docker-registry, skopeo and umoci exist; throws under SENTINEL_TEST_REQUIRE_SERVICES=1. */
export function registryToolsAvailable(): boolean {
  const missing = REGISTRY_TOOLS.filter((b) => !onPath(b));
  if (missing.length === 0) return true;
  const message = `${missing.join(', ')} not on PATH: apt-get install -y docker-registry skopeo umoci`;
  if (requireServices) throw new Error(`${message} (SENTINEL_TEST_REQUIRE_SERVICES=1)`);
  console.warn(`\n!!! ${message}: registry tests are SKIPPED !!!\n`);
  return false;
}

export interface RecordedRequest {
  method: string;
  path: string;
  /** Request body bytes the client sent. */
  bytes: number;
  status: number;
}

export interface Registry {
  /** host:port, as an image reference's registry part. */
  host: string;
  /** Stops the registry and removes its storage. */
  stop(): Promise<void>;
  /** A proxy in front of the registry that records every request; stop it with the registry. */
  counting(): Promise<{ host: string; requests: RecordedRequest[]; reset(): void }>;
}

async function waitUntilUp(url: string, child: ChildProcess, deadlineMs: number): Promise<void> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).status === 200) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > until) throw new Error(`docker-registry did not answer within ${deadlineMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function startRegistry(): Promise<Registry> {
  const dir = mkdtempSync(join(tmpdir(), 'registry-'));
  const port = await freePort();
  const config = join(dir, 'config.yml');
  writeFileSync(
    config,
    [
      'version: 0.1',
      'log: { level: error, accesslog: { disabled: true } }',
      `storage: { filesystem: { rootdirectory: ${join(dir, 'data')} }, delete: { enabled: true } }`,
      `http: { addr: 127.0.0.1:${port} }`,
      '',
    ].join('\n'),
  );
  const child = spawn('docker-registry', ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr = (stderr + c).slice(-4000)));
  try {
    await waitUntilUp(`http://127.0.0.1:${port}/v2/`, child, 15_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}: ${stderr}`);
  }
  const proxies: Server[] = [];
  return {
    host: `127.0.0.1:${port}`,
    async counting() {
      const requests: RecordedRequest[] = [];
      const proxy = createServer((req, res) => {
        let bytes = 0;
        // The Host header passes through unchanged, so the registry's Location URLs name the proxy.
        const upstream = request(
          { host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers },
          (answer) => {
            requests.push({ method: req.method!, path: req.url!, bytes, status: answer.statusCode! });
            res.writeHead(answer.statusCode!, answer.headers);
            answer.pipe(res);
          },
        );
        upstream.on('error', () => res.destroy());
        req.on('data', (chunk: Buffer) => (bytes += chunk.length));
        req.pipe(upstream);
      });
      await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
      proxies.push(proxy);
      return {
        host: `127.0.0.1:${(proxy.address() as AddressInfo).port}`,
        requests,
        reset: () => requests.splice(0),
      };
    },
    async stop() {
      for (const p of proxies) {
        p.closeAllConnections();
        await new Promise<void>((r) => p.close(() => r()));
      }
      const exited = new Promise<void>((r) =>
        child.exitCode !== null ? r() : child.once('exit', () => r()),
      );
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
