// The target of the black-box attack suite (test/integration/gateway/attacks/): a real gateway on
// loopback in front of an upstream that records what reaches it, with a real (in-memory) DynamoDB.
import type { BlockRecord } from '../../core/shared/block-record';
import { staticBlocklist } from '../../runtime/blocklist/blocklist';
import { silentLogger, type Logger } from '../../runtime/lib/logger';
import { startDynalite, storeEnv, type DynaliteServer } from './dynalite';
import type { GatewayOverrides } from '../../runtime/gateway';
import { startGateway, type TestGateway } from './gateway';
import { recordingHandler, startUpstream, type ArrivedRequest, type Upstream } from './upstream';

export interface AttackTarget {
  gw: TestGateway;
  port: number;
  upstream: Upstream;
  /** Every request that reached the upstream, in arrival order. */
  arrived: ArrivedRequest[];
  close(): Promise<void>;
}

export interface AttackTargetOptions {
  env?: Record<string, string | undefined>;
  blocks?: BlockRecord[];
  logger?: Logger;
  /** Other gateway overrides (a manual clock, a JWKS cooldown). */
  overrides?: GatewayOverrides;
}

export async function startAttackTarget(options: AttackTargetOptions = {}): Promise<AttackTarget> {
  const arrived: ArrivedRequest[] = [];
  let store: DynaliteServer | undefined;
  let upstream: Upstream | undefined;
  try {
    [store, upstream] = await Promise.all([startDynalite(), startUpstream(recordingHandler(arrived))]);
    const tables = await store.createTables();
    const gw = await startGateway(
      {
        SENTINEL_API_UPSTREAM_BASE_URL: `${upstream.url}/base`,
        ...storeEnv(store.endpoint, tables),
        SENTINEL_API_RATE_LIMIT_CAPACITY: '100000',
        SENTINEL_API_TELEMETRY_FLUSH_SECONDS: '300',
        ...options.env,
      },
      {
        logger: options.logger ?? silentLogger,
        ...(options.blocks ? { blocklist: staticBlocklist(options.blocks) } : {}),
        ...options.overrides,
      },
    );
    const [s, u] = [store, upstream];
    return {
      gw,
      port: gw.running.port,
      upstream,
      arrived,
      async close() {
        await gw.close();
        await Promise.all([s.stop(), u.close()]);
      },
    };
  } catch (error) {
    await Promise.all([store?.stop(), upstream?.close()]);
    throw error;
  }
}
