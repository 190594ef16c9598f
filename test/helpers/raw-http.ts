// A client that writes HTTP/1.1 byte for byte over a socket, with the body sent when and as slowly
// as the test says: fetch and http.request would normalise, refuse or hurry what attacks need.
import { connect, type Socket } from 'node:net';

export interface RawResponse {
  status: number;
  /** Status line and headers, lower-cased. */
  head: string;
  body: string;
  /** Everything the server sent, interim responses (100 Continue) included. */
  raw: string;
}

export interface RawExchange {
  socket: Socket;
  /** Sends more body bytes. */
  write(data: string | Buffer): void;
  /** Resolves when the server has closed the connection (or after the first complete answer). */
  response: Promise<RawResponse>;
  /** Whether the server has sent anything yet. */
  answered(): boolean;
}

function parse(data: string): RawResponse {
  let text = data;
  // Interim answers come first; the final one is what the client acts on.
  while (/^HTTP\/1\.1 1\d\d /.test(text)) text = text.slice(text.indexOf('\r\n\r\n') + 4);
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
  const split = text.indexOf('\r\n\r\n');
  return { status, head: text.slice(0, split).toLowerCase(), body: text.slice(split + 4), raw: data };
}

/** Opens a connection and sends `head` (lines without the final blank line), then `body` if given. */
export function rawExchange(port: number, headLines: string[], body?: string | Buffer): RawExchange {
  let data = '';
  const socket = connect(port, '127.0.0.1');
  socket.on('connect', () => {
    socket.write(`${headLines.join('\r\n')}\r\n\r\n`);
    if (body !== undefined) socket.write(body);
  });
  const response = new Promise<RawResponse>((resolve) => {
    socket.setEncoding('latin1').on('data', (chunk: string) => {
      data += chunk;
      const parsed = parse(data);
      const length = /content-length: (\d+)/.exec(parsed.head)?.[1];
      if (parsed.status && length !== undefined && Buffer.byteLength(parsed.body) >= Number(length)) {
        resolve(parsed);
      }
    });
    socket.on('error', () => resolve(parse(data)));
    socket.on('close', () => resolve(parse(data)));
  });
  return {
    socket,
    write: (chunk) => void socket.write(chunk),
    response,
    answered: () => data.length > 0,
  };
}

/** One request, raw, with `Connection: close`; resolves with the answer. */
export function rawRequest(
  port: number,
  method: string,
  target: string,
  headers: string[] = [],
  body?: string,
): Promise<RawResponse> {
  const lines = [`${method} ${target} HTTP/1.1`, `Host: 127.0.0.1:${port}`, ...headers, 'Connection: close'];
  if (body !== undefined) lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  const exchange = rawExchange(port, lines, body);
  return exchange.response.finally(() => exchange.socket.destroy());
}
