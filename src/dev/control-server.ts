// The dev stack's control API, on loopback only and behind a per-run bearer token: lets
// `sentinel smoke` mint tokens with a secret that never leaves this process, and run the detector now.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { JWT_ALGORITHMS } from '../../core/jwt/algorithms';

/** What `/mint` may set besides the subject and lifetime (`sentinel jwt mint` passes its flags). */
export interface DevMintOptions {
  algorithm?: string;
  keyId?: string;
  claims?: Record<string, unknown>;
}

/** `/mint`'s answer: the token, and the HMAC algorithms this dev gateway accepts. */
export interface DevMintResult {
  token: string;
  accepted: string[];
}

export interface ControlHandlers {
  /** Undefined when the gateway verifies with a JWKS URL or public key only: nothing to sign with. */
  mint?: (subject: string, ttlSeconds: number, options?: DevMintOptions) => Promise<string>;
  /** The HMAC algorithms the dev gateway accepts for its secret. */
  accepted?: readonly string[];
  /** Runs the detector once as of `nowMs` and returns its summary. */
  runDetector: (nowMs: number) => Promise<unknown>;
}

export interface ControlServer {
  url: string;
  token: string;
  close(): Promise<void>;
}

const MAX_BODY = 16 * 1024;

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function authorized(req: IncomingMessage, token: Buffer): boolean {
  const header = req.headers.authorization ?? '';
  const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '');
  return given.length === token.length && timingSafeEqual(given, token);
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new Error('body too large');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  const parsed: unknown = text ? JSON.parse(text) : {};
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new Error('body must be a JSON object');
  return parsed as Record<string, unknown>;
}

export async function startControlServer(handlers: ControlHandlers): Promise<ControlServer> {
  const token = randomBytes(32).toString('base64url');
  const tokenBytes = Buffer.from(token);
  const server = createServer((req, res) => {
    if (!authorized(req, tokenBytes)) return send(res, 401, { error: 'unauthorized' });
    if (req.method !== 'POST') return send(res, 405, { error: 'method_not_allowed' });
    readBody(req)
      .then(async (body) => {
        if (req.url === '/mint') {
          if (!handlers.mint)
            return send(res, 409, {
              error: 'no_secret',
              detail: 'This dev stack verifies tokens with keys it cannot sign with',
            });
          const subject = typeof body.sub === 'string' && body.sub ? body.sub : 'demo-user';
          const ttl =
            typeof body.ttlSeconds === 'number' && body.ttlSeconds > 0
              ? Math.min(body.ttlSeconds, 86400)
              : 3600;
          const claims =
            body.claims && typeof body.claims === 'object' && !Array.isArray(body.claims)
              ? (body.claims as Record<string, unknown>)
              : undefined;
          const options: DevMintOptions = {
            ...(typeof body.alg === 'string' && (JWT_ALGORITHMS as readonly string[]).includes(body.alg)
              ? { algorithm: body.alg }
              : {}),
            ...(typeof body.kid === 'string' ? { keyId: body.kid } : {}),
            ...(claims ? { claims } : {}),
          };
          const token = await handlers.mint(subject, ttl, options);
          return send(res, 200, { token, accepted: [...(handlers.accepted ?? [])] } satisfies DevMintResult);
        }
        if (req.url === '/detector/run') {
          const now = typeof body.now === 'number' && Number.isFinite(body.now) ? body.now : Date.now();
          return send(res, 200, await handlers.runDetector(now));
        }
        send(res, 404, { error: 'not_found' });
      })
      .catch((error: unknown) => send(res, 400, { error: 'bad_request', detail: (error as Error).message }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Client side, used by `sentinel smoke` against a running dev stack. */
export async function callControl<T>(
  state: { controlUrl: string; controlToken: string },
  path: '/mint' | '/detector/run',
  body: Record<string, unknown>,
): Promise<T> {
  const res = await fetch(`${state.controlUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${state.controlToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as T & { error?: string; detail?: string };
  if (!res.ok)
    throw new Error(`dev control ${path} answered ${res.status}: ${json.detail ?? json.error ?? ''}`);
  return json;
}
