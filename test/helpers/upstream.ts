// A real HTTP upstream on loopback for proxy tests. By default it answers every request with a JSON
// echo of what it received; tests can pass their own handler.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  bodyBytes: number;
}

export interface Upstream {
  url: string;
  port: number;
  server: Server;
  received: ReceivedRequest[];
  close(): Promise<void>;
}

export type UpstreamHandler = (req: IncomingMessage, res: ServerResponse) => void;

export function echoHandler(received: ReceivedRequest[]): UpstreamHandler {
  return (req, res) => {
    let bodyBytes = 0;
    req.on('data', (chunk: Buffer) => {
      bodyBytes += chunk.length;
    });
    req.on('end', () => {
      const entry = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, bodyBytes };
      received.push(entry);
      const body = JSON.stringify(entry);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  };
}

export async function startUpstream(handler?: UpstreamHandler): Promise<Upstream> {
  const received: ReceivedRequest[] = [];
  const server = createServer(handler ?? echoHandler(received));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    received,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** What an upstream saw of one request, from its arrival on: for asserting what got through. */
export interface ArrivedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  bodyBytes: number;
  /** The whole body arrived. */
  complete: boolean;
  /** The connection went away before the body or the answer was done. */
  aborted: boolean;
}

/**
 * Records every request as it arrives and answers once its body has ended with a JSON echo; a
 * request to a path containing `/hold` is never answered (it holds its connection).
 */
export function recordingHandler(arrived: ArrivedRequest[]): UpstreamHandler {
  return (req, res) => {
    const entry: ArrivedRequest = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      bodyBytes: 0,
      complete: false,
      aborted: false,
    };
    arrived.push(entry);
    req.on('data', (chunk: Buffer) => (entry.bodyBytes += chunk.length));
    res.on('close', () => {
      if (!res.writableFinished) entry.aborted = true;
    });
    req.on('end', () => {
      entry.complete = true;
      if (entry.url.includes('/hold')) return;
      const body = JSON.stringify({ url: entry.url, bodyBytes: entry.bodyBytes });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  };
}
