// An HTTP tap in front of the in-memory DynamoDB-compatible store. The gateway's
// SENTINEL_API_DYNAMODB_ENDPOINT points here. It counts every call by operation, asks the store to
// report the capacity each write consumed (it adds ReturnConsumedCapacity=TOTAL to the request; the
// store then bills as DynamoDB does: ceil(item size / 1 KB) write units per item, the larger of the
// old and new item for an update), and can make the store unreachable (fault drills): `refuse`
// resets every connection, `blackhole` accepts requests and never answers.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { request } from 'undici';

export type TapMode = 'pass' | 'refuse' | 'blackhole';

export interface OperationCount {
  calls: number;
  failed: number;
  /** Items written (Put/Update/Delete; each request of a BatchWriteItem). */
  itemsWritten: number;
  writeUnits: number;
}

export interface DynamoTap {
  endpoint: string;
  /** Calls that reached the tap, by operation (UpdateItem, BatchWriteItem, Scan, ...). */
  counts(): Record<string, OperationCount>;
  /** All calls so far, whatever the operation. */
  totalCalls(): number;
  writeUnits(): number;
  itemsWritten(): number;
  setMode(mode: TapMode): void;
  stop(): Promise<void>;
}

const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem']);

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function itemsIn(operation: string, body: Record<string, unknown>): number {
  if (operation !== 'BatchWriteItem') return WRITES.has(operation) ? 1 : 0;
  const tables = (body.RequestItems ?? {}) as Record<string, unknown[]>;
  return Object.values(tables).reduce((n, list) => n + list.length, 0);
}

function unitsIn(response: Record<string, unknown>): number {
  const consumed = response.ConsumedCapacity as
    { CapacityUnits?: number } | Array<{ CapacityUnits?: number }> | undefined;
  if (!consumed) return 0;
  const list = Array.isArray(consumed) ? consumed : [consumed];
  return list.reduce((n, c) => n + (c.CapacityUnits ?? 0), 0);
}

export async function startDynamoTap(storeEndpoint: string): Promise<DynamoTap> {
  const counts: Record<string, OperationCount> = {};
  let mode: TapMode = 'pass';
  const held = new Set<ServerResponse>();
  const sockets = new Set<Socket>();

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.slice(target.indexOf('.') + 1) || 'unknown';
    const count = (counts[operation] ??= { calls: 0, failed: 0, itemsWritten: 0, writeUnits: 0 });
    count.calls++;
    const raw = await readBody(req);
    if (mode === 'blackhole') {
      held.add(res);
      res.on('close', () => held.delete(res));
      return;
    }
    if (mode === 'refuse') {
      count.failed++;
      req.socket.destroy();
      return;
    }
    let body = raw;
    let parsed: Record<string, unknown> = {};
    try {
      parsed = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
      if (WRITES.has(operation))
        body = Buffer.from(JSON.stringify({ ...parsed, ReturnConsumedCapacity: 'TOTAL' }));
    } catch {
      // Not JSON: passed through untouched.
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined || name === 'host' || name === 'connection') continue;
      headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    headers['content-length'] = String(body.length);
    try {
      const upstream = await request(`${storeEndpoint}${req.url ?? '/'}`, {
        method: 'POST',
        headers,
        body,
      });
      const answer = Buffer.from(await upstream.body.arrayBuffer());
      if (upstream.statusCode === 200 && WRITES.has(operation)) {
        count.itemsWritten += itemsIn(operation, parsed);
        try {
          count.writeUnits += unitsIn(JSON.parse(answer.toString('utf8')) as Record<string, unknown>);
        } catch {
          // An answer that is not JSON carries no capacity.
        }
      } else if (upstream.statusCode !== 200) {
        count.failed++;
      }
      const out: Record<string, string> = {};
      for (const [name, value] of Object.entries(upstream.headers)) {
        if (value !== undefined && name !== 'connection' && name !== 'transfer-encoding') {
          out[name] = Array.isArray(value) ? value.join(', ') : value;
        }
      }
      out['content-length'] = String(answer.length);
      res.writeHead(upstream.statusCode, out);
      res.end(answer);
    } catch {
      count.failed++;
      req.socket.destroy();
    }
  };

  const server: Server = createServer((req, res) => void handle(req, res));
  server.on('connection', (socket: Socket) => {
    if (mode === 'refuse') {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const total = (field: keyof OperationCount) => Object.values(counts).reduce((n, c) => n + c[field], 0);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    counts: () => structuredClone(counts),
    totalCalls: () => total('calls'),
    writeUnits: () => total('writeUnits'),
    itemsWritten: () => total('itemsWritten'),
    setMode(next) {
      mode = next;
      if (next !== 'pass') for (const socket of sockets) socket.destroy();
      if (next !== 'blackhole') {
        for (const res of held) res.destroy();
        held.clear();
      }
    },
    async stop() {
      for (const res of held) res.destroy();
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
