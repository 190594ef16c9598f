// Large bodies through the gateway, for its memory: an upload of N bytes (sent in 64 KiB chunks with
// backpressure, Content-Length declared) and a download of N bytes from the upstream's /big. The
// chunked writer also serves the upstreams that answer /big (bench and tests).
import { request } from 'node:http';

const CHUNK = Buffer.alloc(64 * 1024, 7);

interface ByteSink {
  write(chunk: Buffer): boolean;
  once(event: 'drain', listener: () => void): unknown;
  end(): unknown;
}

/** Writes `bytes` filler bytes in 64 KiB chunks, waiting for 'drain' when the stream is full, then ends it. */
export function writeBytes(sink: ByteSink, bytes: number): void {
  let left = bytes;
  const pump = () => {
    while (left > 0) {
      const n = Math.min(left, CHUNK.length);
      left -= n;
      if (!sink.write(n === CHUNK.length ? CHUNK : CHUNK.subarray(0, n)))
        return void sink.once('drain', pump);
    }
    sink.end();
  };
  pump();
}

/** POSTs `bytes` bytes; resolves with the status and the (small) answer body. */
export function upload(
  url: string,
  headers: Record<string, string>,
  bytes: number,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { ...headers, 'content-length': bytes } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    writeBytes(req, bytes);
  });
}

/** Downloads and discards the body; resolves with the bytes received. */
export function download(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let received = 0;
      res.on('data', (chunk: Buffer) => (received += chunk.length));
      res.on('end', () => resolve(received));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
