// A small orders/profile API like the original's example backend: what `sentinel dev` protects when
// no upstream is configured, and examples/demo-upstream runs on its own. Plain node:http, no state
// beyond memory, loopback by default.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface DemoUpstream {
  url: string;
  port: number;
  close(): Promise<void>;
}

interface Order {
  id: string;
  item: string;
  quantity: number;
  status: 'placed' | 'shipped' | 'delivered';
  createdAt: string;
}

const ITEMS = ['keyboard', 'monitor', 'desk lamp', 'headphones', 'webcam', 'usb hub', 'chair', 'notebook'];
const STATUSES: Order['status'][] = ['placed', 'shipped', 'delivered'];
const MAX_BODY = 64 * 1024;

function seedOrders(): Order[] {
  const start = Date.UTC(2026, 0, 1);
  return Array.from({ length: 25 }, (_, i) => ({
    id: `ord_${String(i + 1).padStart(4, '0')}`,
    item: ITEMS[i % ITEMS.length]!,
    quantity: (i % 3) + 1,
    status: STATUSES[i % STATUSES.length]!,
    createdAt: new Date(start + i * 86_400_000).toISOString(),
  }));
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new Error('too large'));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => {
      try {
        resolve(chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {});
      } catch (error) {
        reject(error);
      }
    });
    req.on('error', reject);
  });
}

export function createDemoUpstreamServer(): Server {
  const orders = seedOrders();
  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://demo');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const user = req.headers['x-sentinel-user-id'];
    if (req.method === 'GET' && (path === '/health' || path === '/'))
      return send(res, 200, { status: 'ok', service: 'demo-upstream' });
    if (req.method === 'GET' && path === '/v1/profile') {
      return send(res, 200, {
        userId: typeof user === 'string' ? user : null,
        plan: 'demo',
        requestId: req.headers['x-request-id'] ?? null,
      });
    }
    if (req.method === 'GET' && path === '/v1/orders') {
      const limit = Math.min(100, Math.max(1, Number(url.searchParams.get('limit')) || 10));
      return send(res, 200, { orders: orders.slice(0, limit), total: orders.length });
    }
    const match = /^\/v1\/orders\/([A-Za-z0-9_-]+)$/.exec(path);
    if (req.method === 'GET' && match) {
      const order = orders.find((o) => o.id === match[1]);
      return order
        ? send(res, 200, order)
        : send(res, 404, { error: 'not_found', detail: `No order ${match[1]}` });
    }
    if (req.method === 'POST' && path === '/v1/orders') {
      readJson(req).then(
        (body) => {
          const input = body as { item?: unknown; quantity?: unknown };
          if (
            typeof input.item !== 'string' ||
            !Number.isInteger(input.quantity) ||
            (input.quantity as number) < 1
          ) {
            return send(res, 400, {
              error: 'bad_request',
              detail: 'Send {"item": string, "quantity": positive integer}',
            });
          }
          const order: Order = {
            id: `ord_${randomUUID().slice(0, 8)}`,
            item: input.item.slice(0, 100),
            quantity: input.quantity as number,
            status: 'placed',
            createdAt: new Date().toISOString(),
          };
          orders.push(order);
          send(res, 201, order);
        },
        () => send(res, 400, { error: 'bad_request', detail: 'Body must be JSON under 64 KiB' }),
      );
      return;
    }
    send(res, 404, { error: 'not_found', detail: `${req.method} ${path} is not part of the demo API` });
  });
}

export async function startDemoUpstream(
  options: { port?: number; host?: string } = {},
): Promise<DemoUpstream> {
  const server = createDemoUpstreamServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port, address } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    port,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
