// `sentinel dev` piped (`npm start | tee`): request and event lines only, metrics lines only at
// debug level, none on a failed start, and no empty .sentinel/ left behind after it stops.
import { createServer } from 'node:net';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { detectorLine } from '../../src/dev/terminal-log';
import { runBuiltCli } from '../helpers/cli';
import { startDevProcess } from '../helpers/dev-process';
import { freePort } from '../helpers/ports';

const root = mkdtempSync(join(tmpdir(), 'sentinel-dev-output-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const metricsLines = (stdout: string) =>
  stdout.split('\n').filter((line) => line.includes('"type":"metrics"'));

async function runAndStop(env: Record<string, string>) {
  const cwd = mkdtempSync(join(root, 'p-'));
  const dev = await startDevProcess(
    cwd,
    ['--port', String(await freePort()), '--detector-interval', '1h'],
    env,
  );
  const res = await fetch(`${dev.state.gatewayUrl}/health`);
  expect(res.status).toBe(200);
  const code = await dev.stop();
  return { cwd, code, stdout: dev.stdout() };
}

describe('sentinel dev output when piped', () => {
  it('writes no metrics blob at the default log level, and leaves no .sentinel/ behind', async () => {
    const { cwd, code, stdout } = await runAndStop({});
    expect(code).toBe(0);
    expect(metricsLines(stdout)).toEqual([]);
    expect(existsSync(join(cwd, '.sentinel'))).toBe(false);
  }, 40_000);

  it('writes the metrics lines at debug level', async () => {
    const { stdout } = await runAndStop({ SENTINEL_API_LOG_LEVEL: 'debug' });
    expect(metricsLines(stdout).length).toBeGreaterThan(0);
  }, 40_000);

  it('prints no metrics blob when the port is taken', async () => {
    const blocker = createServer();
    const port = await new Promise<number>((resolve) =>
      blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as { port: number }).port)),
    );
    try {
      const cwd = mkdtempSync(join(root, 'p-'));
      const result = await runBuiltCli(['dev', '--port', String(port)], { cwd });
      expect(result.code).toBe(2);
      expect(metricsLines(result.stdout)).toEqual([]);
      expect(existsSync(join(cwd, '.sentinel'))).toBe(false);
    } finally {
      blocker.close();
    }
  });
});

describe('the detector summary line', () => {
  it('is printed again only when the counts change', () => {
    const line = detectorLine();
    const runs = [
      { anomalyCount: 1, blockedCount: 1 },
      { anomalyCount: 1, blockedCount: 0 },
      { anomalyCount: 1, blockedCount: 0 },
      { anomalyCount: 0, blockedCount: 0 },
      { anomalyCount: 1, blockedCount: 0 },
    ].map(line);
    expect(runs.map((l) => l !== undefined)).toEqual([true, true, false, false, true]);
  });
});
