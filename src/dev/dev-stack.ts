// `sentinel dev`'s engine: the real gateway, an embedded DynamoDB-compatible store with the real
// tables, the real detector on a short schedule, a demo upstream when none is configured, and a
// loopback control API. Everything it starts, stop() stops; nothing here needs AWS, Docker or Redis.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { createHandler, type DetectorRun, type RunSummary } from '../../lambda/anomaly-detector/handler';
import type { Alert } from '../../lambda/anomaly-detector/alert';
import { createDetectorStore } from '../../lambda/anomaly-detector/store';
import { createGateway } from '../../runtime/gateway';
import type { Clock } from '../../runtime/lib/clock';
import type { LineSink } from '../../runtime/lib/line-writer';
import { serveGateway, type RunningGateway } from '../../runtime/serve';
import type { ResolvedConfig } from '../../core/config/resolve';
import { acceptedHmacAlgorithms } from '../jwt/accepted-algorithms';
import { mintToken } from '../jwt/mint';
import type { JwtAlgorithm } from '../../core/jwt/algorithms';
import { generateSecret } from '../init/env-file';
import { createDocumentClient } from '../../core/shared/dynamodb';
import { ErrorCode, SentinelError } from '../../core/shared/errors';
import { createTables, tableNamesWithPrefix, type TableNames } from '../../core/shared/table-setup';
import { startControlServer, type ControlServer, type DevMintOptions } from './control-server';
import { startDemoUpstream, type DemoUpstream } from './demo-upstream';
import { devConfig } from './dev-config';
import { removeDevState, writeDevState, type DevState } from './state-file';

export interface DevStackOptions {
  /** The user's configuration (flags > env > .env > preset); requirements are filled in here. */
  resolved: ResolvedConfig;
  port: number;
  /** Keep the store's data here across restarts; in memory when absent. */
  dataDir?: string;
  detectorIntervalSeconds: number;
  cwd: string;
  /** Where gateway log lines go. */
  lines: LineSink;
  onAlert?: (alert: Alert) => void;
  onDetectorRun?: (summary: RunSummary) => void;
  onDetectorError?: (error: unknown) => void;
  /** The gateway's clock; tests move it to put traffic where they need it in time. */
  clock?: Clock;
}

export interface DevStack {
  gatewayUrl: string;
  upstreamUrl: string;
  demoUpstream: boolean;
  storeEndpoint: string;
  tables: TableNames;
  secretSource: DevState['secretSource'];
  config: ResolvedConfig;
  /** Mints a token with the stack's secret; undefined when it verifies with keys it cannot sign with. */
  mint?: (subject: string, ttlSeconds?: number, options?: DevMintOptions) => Promise<string>;
  runDetector: DetectorRun;
  stop(): Promise<void>;
}

export const DEV_TABLE_PREFIX = 'sentinel-dev-';

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function portInUse(port: number, cause: unknown): SentinelError {
  return new SentinelError(ErrorCode.DevPortInUse, `Port ${port} is already in use`, {
    hint: `Stop what uses it, or choose another port: sentinel dev --port ${port === 8000 ? 8080 : port + 1} (or SENTINEL_API_PORT)`,
    cause,
    exitCode: 2,
  });
}

export async function startDevStack(options: DevStackOptions): Promise<DevStack> {
  const cleanups: Array<() => Promise<void> | void> = [];
  const cleanup = async () => {
    for (const step of cleanups.reverse()) await Promise.resolve(step()).catch(() => undefined);
    cleanups.length = 0;
  };
  try {
    const store = dynalite({ path: options.dataDir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    const storeEndpoint = await listen(store);
    cleanups.push(() => new Promise<void>((resolve) => store.close(() => resolve())));
    const raw = new DynamoDBClient({
      endpoint: storeEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'dev', secretAccessKey: 'dev' },
    });
    const tables = tableNamesWithPrefix(DEV_TABLE_PREFIX);
    await createTables(raw, tables);
    raw.destroy();

    const user = options.resolved.values;
    let demo: DemoUpstream | undefined;
    if (user.upstreamBaseUrl === undefined) {
      demo = await startDemoUpstream();
      cleanups.push(() => demo!.close());
    }
    const hasJwtSource =
      user.jwtSecretKey !== undefined || user.jwtPublicKey !== undefined || user.jwtJwksUrl !== undefined;
    const generatedSecret = hasJwtSource ? undefined : generateSecret();
    const resolved = devConfig(options.resolved, {
      port: options.port,
      dynamodbEndpoint: storeEndpoint,
      tables,
      demoUpstreamUrl: demo?.url,
      generatedSecret,
    });
    const config = resolved.values;

    const gateway = await createGateway(resolved, { lines: options.lines, clock: options.clock });
    await gateway.start();
    let running: RunningGateway;
    try {
      running = await serveGateway(gateway, {
        port: options.port,
        hostname: '127.0.0.1',
        shutdownGraceMs: 3000,
      });
    } catch (error) {
      await gateway.stop();
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw portInUse(options.port, error);
      throw error;
    }
    cleanups.push(() => running.shutdown('dev stack stopping'));

    const detectorClient = createDocumentClient({ endpoint: storeEndpoint });
    cleanups.push(() => detectorClient.destroy());
    const detectorStore = createDetectorStore(detectorClient, {
      aggregates: tables.trafficAggregates,
      blocklist: tables.blocklist,
    });
    const publisher = { publish: async (alert: Alert) => options.onAlert?.(alert) };
    // A run "as of" a moment: the smoke test asks for the end of the current bucket so a burst it
    // just sent is judged without waiting up to 15 minutes for the bucket to complete.
    const runDetector = createHandler({ config, store: detectorStore, publisher, log: () => undefined });
    const timer = setInterval(() => {
      runDetector().then(
        (summary) => options.onDetectorRun?.(summary),
        (error: unknown) => options.onDetectorError?.(error),
      );
    }, options.detectorIntervalSeconds * 1000);
    timer.unref();
    cleanups.push(() => clearInterval(timer));

    const secret = config.jwtSecretKey;
    const mint = secret
      ? (subject: string, ttlSeconds = 3600, extra: DevMintOptions = {}) =>
          mintToken({
            key: { kind: 'secret', secret },
            algorithm: (extra.algorithm as JwtAlgorithm | undefined) ?? config.jwtAlgorithm,
            subject,
            ttlSeconds,
            issuer: config.jwtIssuer,
            audience: config.jwtAudience,
            keyId: extra.keyId,
            claims: extra.claims,
          })
      : undefined;
    const control: ControlServer = await startControlServer({
      mint,
      runDetector,
      accepted: secret ? acceptedHmacAlgorithms(config) : [],
    });
    cleanups.push(() => control.close());

    const secretSource: DevState['secretSource'] = generatedSecret ? 'generated' : secret ? 'config' : 'none';
    writeDevState(options.cwd, {
      version: 1,
      pid: process.pid,
      startedAt: new Date().toISOString(),
      gatewayUrl: running.url,
      dynamodbEndpoint: storeEndpoint,
      tables,
      upstreamUrl: config.upstreamBaseUrl!,
      controlUrl: control.url,
      controlToken: control.token,
      secretSource,
      blocklistRefreshSeconds: config.blocklistRefreshSeconds,
      telemetryFlushSeconds: config.telemetryFlushSeconds,
      detectorIntervalSeconds: options.detectorIntervalSeconds,
    });
    cleanups.push(() => removeDevState(options.cwd));

    return {
      gatewayUrl: running.url,
      upstreamUrl: config.upstreamBaseUrl!,
      demoUpstream: demo !== undefined,
      storeEndpoint,
      tables,
      secretSource,
      config: resolved,
      mint,
      runDetector,
      stop: cleanup,
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
