// An in-process `sentinel dev` stack (real gateway, dynalite store, detector handler) for tests that
// need the whole product without the CLI process: a known secret, the detector left to the test (its
// timer an hour away), silent logs, and a temporary working directory removed on stop.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../runtime/lib/clock';
import { resolveConfig } from '../../core/config/resolve';
import { startDevStack, type DevStack } from '../../src/dev/dev-stack';
import { freePort } from './ports';
import { silentSink } from './sinks';

export interface TestDevStack {
  stack: DevStack;
  stop(): Promise<void>;
}

export async function startTestDevStack(
  secret: string,
  options: { clock?: Clock } = {},
): Promise<TestDevStack> {
  const cwd = mkdtempSync(join(tmpdir(), 'sentinel-dev-stack-'));
  const { config } = resolveConfig({ env: { SENTINEL_API_JWT_SECRET_KEY: secret } });
  try {
    const stack = await startDevStack({
      resolved: config,
      port: await freePort(),
      detectorIntervalSeconds: 3600,
      cwd,
      lines: silentSink(),
      clock: options.clock,
    });
    return {
      stack,
      stop: async () => {
        await stack.stop();
        rmSync(cwd, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(cwd, { recursive: true, force: true });
    throw error;
  }
}
