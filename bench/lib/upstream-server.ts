// The bench's upstream, run as its own process so that it never shares an event loop with the load
// or the proxy under test: a small JSON answer for any path, `/status/N` answers status N,
// `/slow?ms=N` answers after N ms, `/big?bytes=N` streams N bytes, a request body is read and its
// size answered. Control paths under /__bench/ (not counted): `stats` gives the
// number of requests served, `delay?ms=N` delays every later answer by N ms (a slow upstream).
// Env: UPSTREAM_PORT (0: any). Prints {"msg":"listening","port"} on stdout.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeBytes } from './streaming';

const ANSWER = JSON.stringify({ id: 42, name: 'widget', price: 9.99, tags: ['a', 'b'], inStock: true });
const ANSWER_HEADERS = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(ANSWER) };

let served = 0;
let delayMs = 0;

function control(url: URL, res: ServerResponse): void {
  if (url.pathname === '/__bench/delay') delayMs = Number(url.searchParams.get('ms') ?? 0);
  const body = JSON.stringify({ served, delayMs });
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function download(res: ServerResponse, bytes: number): void {
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes });
  writeBytes(res, bytes);
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  const path = req.url ?? '/';
  if (path.startsWith('/__bench/')) return control(new URL(path, 'http://upstream'), res);
  served++;
  const answer = () => {
    if (path.startsWith('/big?'))
      return download(res, Number(new URL(path, 'http://u').searchParams.get('bytes')));
    if (req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined) {
      let bytes = 0;
      req.on('data', (chunk: Buffer) => (bytes += chunk.length));
      req.on('end', () => res.end(JSON.stringify({ bytes })));
      return;
    }
    res.writeHead(path.startsWith('/status/') ? Number(path.slice(8, 11)) || 500 : 200, ANSWER_HEADERS);
    res.end(ANSWER);
  };
  const slow = path.startsWith('/slow?') ? Number(new URL(path, 'http://u').searchParams.get('ms')) : 0;
  if (delayMs + slow > 0) setTimeout(answer, delayMs + slow);
  else answer();
}

// A short idle timeout: a client pool honours the server's keep-alive hint, so idle connections close
// within seconds after a run (the drills count the gateway's sockets afterwards).
const server = createServer({ keepAliveTimeout: 5_000 }, handle);
server.listen(Number(process.env.UPSTREAM_PORT ?? 0), '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ msg: 'listening', port })}\n`);
});
process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
