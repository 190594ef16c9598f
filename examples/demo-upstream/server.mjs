// The demo orders/profile API on its own: a target for trying SentinelAPI against a "real" upstream.
//   node examples/demo-upstream/server.mjs            (in this repository, after `npm run build`)
//   PORT=3000 node server.mjs                           (anywhere sentinel-api is installed)
// Then: SENTINEL_API_UPSTREAM_BASE_URL=http://127.0.0.1:3000 npx sentinel-api dev
import { startDemoUpstream } from 'sentinel-api';

const upstream = await startDemoUpstream({
  port: Number(process.env.PORT ?? 3000),
  host: process.env.HOST ?? '127.0.0.1',
});
console.log(
  `demo upstream listening on ${upstream.url}  (GET /v1/orders, GET /v1/orders/:id, POST /v1/orders, GET /v1/profile)`,
);
for (const signal of ['SIGINT', 'SIGTERM'])
  process.once(signal, () => void upstream.close().then(() => process.exit(0)));
