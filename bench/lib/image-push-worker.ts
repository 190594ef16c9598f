// The measured side of bench/image-push.ts, in its own process so its RSS is the push's alone:
// builds the gateway image on the base given, pushes it to the target registry, and prints one JSON
// line with its peak RSS and the push result.
import { buildImage, pushImage, RegistryClient } from '../../src/image';
import { GATEWAY_NODE_FLAGS } from '../../runtime/node-flags';

const [base, target] = process.argv.slice(2) as [string, string];
const start = process.memoryUsage().rss;
let peak = start;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
const started = Date.now();
const image = await buildImage({
  baseImage: base,
  platform: { os: 'linux', architecture: process.arch === 'arm64' ? 'arm64' : 'amd64' },
  files: [{ name: 'server.mjs', content: Buffer.from('console.log("gateway")\n') }],
  port: 8000,
  portVariable: 'SENTINEL_API_PORT',
  nodeFlags: GATEWAY_NODE_FLAGS,
  version: 'bench',
});
const slash = target.indexOf('/');
const push = await pushImage(
  image,
  new RegistryClient(target.slice(0, slash), target.slice(slash + 1), { push: true }),
);
clearInterval(sampler);
peak = Math.max(peak, process.memoryUsage().rss);
const baseBytes = image.blobs.filter((b) => b.origin === 'base').reduce((n, b) => n + b.descriptor.size, 0);
console.log(JSON.stringify({ startRss: start, peakRss: peak, ms: Date.now() - started, baseBytes, push }));
