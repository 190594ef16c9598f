// The gateway's resident memory around a 100 MB upload and a 100 MB download through it, read from
// /proc/<pid>/status (VmRSS now, VmHWM the peak). A proxy that buffered either body would grow by
// its size; one that streams grows by its buffers only.
import { writeFileSync } from 'node:fs';
import { startGatewayProcess, memoryOf } from './processes';
import { gatewayEnv, type Stack } from './stack';
import { download, upload } from './streaming';

export const MiB = 1024 * 1024;

export interface MemoryResult {
  bytesEachWay: number;
  rssBefore: number;
  rssAfter: number;
  peak: number;
  /** VmRSS after minus before. */
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
    { name: 'gateway (memory)' },
  );
  try {
    const put = `${gateway.url}/proxy/upload`;
    const get = (n: number) => `${gateway.url}/proxy/big?bytes=${n}`;
    // Warm up (JIT, pools, token cache, socket buffers) before the baseline.
    for (let i = 0; i < 3; i++) {
      await upload(put, headers, 4 * MiB);
      await download(get(4 * MiB), headers);
    }
    await new Promise((r) => setTimeout(r, 500));
    resetPeak(gateway.pid);
    const before = memoryOf(gateway.pid);
    const { status } = await upload(put, headers, bytes);
    const received = await download(get(bytes), headers);
    if (status !== 200 || received !== bytes) {
      throw new Error(`streaming failed: upload status ${status}, downloaded ${received} of ${bytes} bytes`);
    }
    await new Promise((r) => setTimeout(r, 500));
    const after = memoryOf(gateway.pid);
    return {
      bytesEachWay: bytes,
      rssBefore: before.rss,
      rssAfter: after.rss,
      peak: after.hwm,
      rssGrowth: after.rss - before.rss,
      peakGrowth: after.hwm - before.rss,
    };
  } finally {
    await gateway.stop('SIGTERM');
  }
}

/** Resets VmHWM to the current RSS (Linux clear_refs), so the peak is the streams', not start-up's. */
function resetPeak(pid: number): void {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    // Not permitted or not Linux: the peak then covers the process's whole life.
  }
}
