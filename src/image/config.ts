// The image config: the base's, with what the gateway needs on top. Everything is derived from the
// inputs (no clock), so the same base and bundle give the same config bytes and digest.
import { APP_DIR, APP_OWNER } from './layer';

/** The subset of the OCI image config this code reads and writes; other fields pass through. */
export interface ImageConfig {
  architecture: string;
  os: string;
  variant?: string;
  created?: string;
  config?: {
    Env?: string[];
    Cmd?: string[];
    Entrypoint?: string[] | null;
    WorkingDir?: string;
    User?: string;
    ExposedPorts?: Record<string, object>;
    StopSignal?: string;
    Labels?: Record<string, string>;
    [key: string]: unknown;
  };
  rootfs: { type: 'layers'; diff_ids: string[] };
  history?: Array<{ created?: string; created_by?: string; comment?: string; empty_layer?: boolean }>;
  [key: string]: unknown;
}

/** Fixed, so a rebuild does not change the config digest. */
export const IMAGE_CREATED = '1970-01-01T00:00:00Z';

export interface GatewayConfigInput {
  diffId: string;
  port: number;
  nodeFlags: readonly string[];
  /** The environment variable the gateway reads its port from. */
  portVariable: string;
  version: string;
}

function withEnv(env: readonly string[], set: Record<string, string>): string[] {
  const names = new Set(Object.keys(set));
  return [
    ...env.filter((e) => !names.has(e.split('=')[0]!)),
    ...Object.entries(set).map(([k, v]) => `${k}=${v}`),
  ];
}

export function gatewayConfig(base: ImageConfig, input: GatewayConfigInput): ImageConfig {
  const inherited = base.config ?? {};
  const { Entrypoint: _entrypoint, Healthcheck: _healthcheck, ...rest } = inherited;
  return {
    ...base,
    created: IMAGE_CREATED,
    config: {
      ...rest,
      Env: withEnv(inherited.Env ?? [], { NODE_ENV: 'production', [input.portVariable]: String(input.port) }),
      // No entrypoint script: node is PID 1 and handles SIGTERM itself.
      Cmd: ['node', ...input.nodeFlags, 'server.mjs'],
      WorkingDir: APP_DIR,
      User: APP_OWNER.uname,
      ExposedPorts: { ...inherited.ExposedPorts, [`${input.port}/tcp`]: {} },
      StopSignal: 'SIGTERM',
      Labels: {
        ...inherited.Labels,
        'org.opencontainers.image.title': 'sentinel-api gateway',
        'org.opencontainers.image.version': input.version,
      },
    },
    rootfs: { type: 'layers', diff_ids: [...base.rootfs.diff_ids, input.diffId] },
    history: [
      ...(base.history ?? []),
      {
        created: IMAGE_CREATED,
        created_by: `sentinel-api ${input.version}: COPY server.mjs server.mjs.map ${APP_DIR}/`,
        comment: 'the gateway bundle',
      },
    ],
  };
}
