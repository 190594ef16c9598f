// The gateway's resident memory around a 100 MB upload and a 100 MB download through it, read from
// /proc/<pid>/status (VmRSS now, VmHWM the peak). A proxy that buffered either body would grow by
// its size; one that streams grows by its buffers only.
//
// Both readings are taken after a full garbage collection (bench/lib/gc-on-signal.cjs, loaded into
// this gateway only). Half a second after the streams, without it, RSS still held the chunks' dead
// buffers, as many as V8 had not yet collected: the growth moved between -10 and +19 MiB over runs
// of one gateway, and between -15 and +18 MiB for the bare proxy, which keeps nothing either. The
// peak during the streams (VmHWM) is reported beside it, dead buffers included.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startGatewayProcess, memoryOf } from './processes';
import { gatewayEnv, type Stack } from './stack';
import { download, upload } from './streaming';

export const MiB = 1024 * 1024;

/** The bench-only handler that collects garbage on SIGUSR2, loaded into the measured gateway. */
const GC_ON_SIGNAL = fileURLToPath(new URL('./gc-on-signal.cjs', import.meta.url));

export interface MemoryResult {
  bytesEachWay: number;
  rssBefore: number;
  rssAfter: number;
  peak: number;
  /** VmRSS after minus before, both after a full garbage collection. */
  rssGrowth: number;
  /** VmHWM after minus VmRSS before: the most the streams added at any moment. */
  peakGrowth: number;
}

export async function measureStreamingMemory(
  stack: Stack,
  headers: Record<string, string>,
  bytes = 100 * MiB,
): Promise<MemoryResult> {
  const gateway = await startGatewayProcess(
    gatewayEnv(stack, { SENTINEL_API_MAX_BODY_BYTES: String(1024 * MiB) }),
    { name: 'gateway (memory)', nodeArgs: ['--expose-gc', '--require', GC_ON_SIGNAL] },
  );
  try {
    const put = `${gateway.url}/proxy/upload`;
    const get = (n: number) => `${gateway.url}/proxy/big?bytes=${n}`;
    // Warm up (JIT, pools, token cache, socket buffers) before the baseline.
    for (let i = 0; i < 3; i++) {
      await upload(put, headers, 4 * MiB);
      await download(get(4 * MiB), headers);
    }
    await collect(gateway.pid);
    resetPeak(gateway.pid);
    const before = memoryOf(gateway.pid);
    const { status } = await upload(put, headers, bytes);
    const received = await download(get(bytes), headers);
    if (status !== 200 || received !== bytes) {
      throw new Error(`streaming failed: upload status ${status}, downloaded ${received} of ${bytes} bytes`);
    }
    // The peak is read before collecting (the reset above made it the streams' own).
    const peak = memoryOf(gateway.pid).hwm;
    await collect(gateway.pid);
    const after = memoryOf(gateway.pid);
    return {
      bytesEachWay: bytes,
      rssBefore: before.rss,
      rssAfter: after.rss,
      peak,
      rssGrowth: after.rss - before.rss,
      peakGrowth: peak - before.rss,
    };
  } finally {
    await gateway.stop('SIGTERM');
  }
}

/** A full garbage collection in `pid`, and time for the freed memory to leave RSS. */
async function collect(pid: number): Promise<void> {
  process.kill(pid, 'SIGUSR2');
  await new Promise((resolve) => setTimeout(resolve, 500));
}

/** Resets VmHWM to the current RSS (Linux clear_refs), so the peak is the streams', not start-up's. */
function resetPeak(pid: number): void {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    // Not permitted or not Linux: the peak then covers the process's whole life.
  }
}
