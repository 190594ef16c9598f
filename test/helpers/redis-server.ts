// A real redis-server on a random loopback port with no persistence, that tests can stop and
// restart on the same port (fault tests) and must stop when done; optionally with a password
// (`requirepass`, as ElastiCache's AUTH token).
import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { freePort } from './ports';
import { findRedisServer } from './services';

export interface RedisServer {
  port: number;
  url: string;
  /** Stops the server (SIGTERM) and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
  /** A fresh client; the caller quits it. */
  client(): Redis;
}

async function waitForPing(
  port: number,
  child: ChildProcess,
  deadlineMs: number,
  password: string | undefined,
): Promise<void> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
    const probe = new Redis({
      port,
      host: '127.0.0.1',
      lazyConnect: true,
      password,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    // Refused connections while the server starts are expected; without a listener ioredis prints them.
    probe.on('error', () => {});
    try {
      await probe.connect();
      if ((await probe.ping()) === 'PONG') return;
    } catch {
      if (Date.now() > until)
        throw new Error(`redis-server on port ${port} did not answer within ${deadlineMs} ms`);
      await new Promise((r) => setTimeout(r, 25));
    } finally {
      probe.disconnect();
    }
  }
}

export async function startRedisServer(options: { password?: string } = {}): Promise<RedisServer> {
  const { password } = options;
  const binary = findRedisServer();
  if (!binary) throw new Error('redis-server is not on PATH');
  const port = await freePort();
  let child: ChildProcess | undefined;

  const start = async () => {
    child = spawn(
      binary,
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--loglevel',
        'warning',
        ...(password ? ['--requirepass', password] : []),
      ],
      {
        stdio: 'ignore',
      },
    );
    await waitForPing(port, child, 5000, password);
  };
  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.kill('SIGTERM');
    });
  };

  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop,
    start,
    client: () => {
      const client = new Redis({ port, host: '127.0.0.1', password });
      // Fault tests stop the server under a live client; reconnect errors are expected then.
      client.on('error', () => {});
      return client;
    },
  };
}
