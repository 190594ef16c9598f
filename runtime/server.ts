// Entry point of the gateway container: read the configuration from the environment (no .env file),
// wire the real dependencies, serve, and stop gracefully on SIGTERM (ECS) or SIGINT.
import { ConfigError } from '../core/config/issues';
import { redactSecrets } from '../core/shared/redact-secrets';
import { loadConfig } from '../core/config/load';
import type { ResolvedConfig } from '../core/config/resolve';
import { createGateway } from './gateway';
import { serveGateway } from './serve';

async function main(): Promise<void> {
  let resolved: ResolvedConfig;
  try {
    resolved = loadConfig({ scope: 'gateway', noEnvFile: true });
  } catch (error) {
    const issues =
      error instanceof ConfigError
        ? error.issues.map(({ variable, problem, hint }) => ({ variable, problem, hint }))
        : [];
    process.stderr.write(
      `${redactSecrets(JSON.stringify({ level: 'error', msg: 'invalid configuration', issues, error: issues.length ? undefined : String(error) }))}\n`,
    );
    process.exit(2);
  }
  const config = resolved.values;
  const gateway = await createGateway(resolved);
  await gateway.start();
  const running = await serveGateway(gateway, {
    port: config.port,
    shutdownGraceMs: config.shutdownGraceSeconds * 1000,
  });
  gateway.logger.info('listening', {
    port: running.port,
    version: gateway.deps.settings.version,
    preset: resolved.preset,
    backends: gateway.deps.settings.backends,
  });

  const stop = (signal: string) => {
    running.shutdown(signal).then(
      () => process.exit(0),
      (error: unknown) => {
        gateway.logger.error('shutdown failed', { error });
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  const code = (error as { code?: string }).code;
  process.stderr.write(
    `${redactSecrets(JSON.stringify({ level: 'error', msg: 'gateway failed to start', code, error: String((error as Error)?.message ?? error) }))}\n`,
  );
  process.exit(1);
});
