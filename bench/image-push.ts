// Benchmark (not a test): pushing the gateway image built on an ~80 MB base to a real registry on
// loopback (Debian's docker-registry), as deploy pushes to ECR. Reports this process's peak RSS
// (a separate process running only the build and push) while the blobs stream from the base
// registry to the target, the bytes the target received (a
// counting proxy in front of it), and the same for an unchanged second push.
//   npm run bench:image-push            (needs docker-registry and skopeo on PATH)
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { buildImage, type BuildInputs, type PushResult } from '../src/image';
import { GATEWAY_NODE_FLAGS } from '../runtime/node-flags';
import { indexDigestOf, makeTestBaseLayout, pushLayout } from '../test/helpers/base-image';
import { startRegistry } from '../test/helpers/registry';

const MiB = 1024 * 1024;
const here = dirname(fileURLToPath(import.meta.url));

interface WorkerResult {
  startRss: number;
  peakRss: number;
  ms: number;
  baseBytes: number;
  push: PushResult;
}
const TARGET_BASE_BYTES = 80 * MiB;
const RSS_BAR = 150 * MiB;

async function main() {
  const source = await startRegistry();
  const target = await startRegistry();
  const proxy = await target.counting();
  // The node layer (this machine's node binary and its libraries) plus random padding up to ~80 MB.
  const probe = await makeTestBaseLayout();
  pushLayout(probe, `${source.host}/probe/node:test`);
  const probeImage = await buildImage(inputs(`${source.host}/probe/node@${indexDigestOf(probe)}`));
  const nodeLayer = probeImage.blobs
    .filter((b) => b.origin === 'base')
    .reduce((n, b) => n + b.descriptor.size, 0);
  rmSync(probe, { recursive: true, force: true });
  const layout = await makeTestBaseLayout({ padBytes: Math.max(TARGET_BASE_BYTES - nodeLayer, 0) });
  pushLayout(layout, `${source.host}/library/node:bench`);
  const base = `${source.host}/library/node@${indexDigestOf(layout)}`;
  rmSync(layout, { recursive: true, force: true });

  const run = async () => {
    proxy.reset();
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', join(here, 'lib', 'image-push-worker.ts'), base, `${proxy.host}/bench/gateway`],
      { maxBuffer: 1024 * 1024 },
    );
    const result = JSON.parse(stdout.trim().split('\n').pop()!) as WorkerResult;
    const sent = proxy.requests.filter((r) => r.method === 'PATCH').reduce((n, r) => n + r.bytes, 0);
    return { ...result, sent, requests: proxy.requests.length };
  };
  const first = await run();
  const second = await run();
  const peak = Math.max(first.peakRss, second.peakRss);
  await Promise.all([source.stop(), target.stop()]);
  const mb = (n: number) => `${(n / MiB).toFixed(1)} MiB`;
  console.log(`node ${process.version} on ${process.platform}/${process.arch}`);
  console.log(`base layers                     ${mb(first.baseBytes)}`);
  console.log(
    `first push                      ${mb(first.sent)} received in ${first.push.uploadedBlobs} blobs, ${(first.ms / 1000).toFixed(1)} s (build + push)`,
  );
  console.log(
    `peak RSS of the pushing process ${mb(peak)} (${mb(first.startRss)} at start with tsx loaded; bar ${mb(RSS_BAR)})`,
  );
  console.log(
    `unchanged second push           ${second.sent} blob bytes, ${second.requests} registry request(s), unchanged=${second.push.unchanged}`,
  );
  const ok = peak < RSS_BAR && second.sent === 0 && first.baseBytes >= TARGET_BASE_BYTES * 0.95;
  console.log(ok ? 'PASS' : 'FAIL');
  process.exitCode = ok ? 0 : 1;
}

function inputs(baseImage: string): BuildInputs {
  return {
    baseImage,
    platform: { os: 'linux', architecture: process.arch === 'arm64' ? 'arm64' : 'amd64' },
    files: [{ name: 'server.mjs', content: Buffer.from('console.log("gateway")\n') }],
    port: 8000,
    portVariable: 'SENTINEL_API_PORT',
    nodeFlags: GATEWAY_NODE_FLAGS,
    version: 'bench',
  };
}

await main();
