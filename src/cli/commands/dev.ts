// `sentinel dev`: the whole product on a laptop in one command — the real gateway, detector and
// tables, with no AWS account, Docker or Redis — plus a token and curl commands to try it.
import type { Command } from 'commander';
import { envName } from '../../../core/config/knob';
import { loadConfig } from '../../../core/config/load';
import { durationType, formatDuration } from '../../../core/config/value-types';
import { UsageError } from '../../../core/shared/errors';
import type { CliContext } from '../context';
import { commonOptions, configSources, knobOption } from '../options';

interface DevFlags {
  port?: string;
  dataDir?: string;
  detectorInterval: string;
  envFile?: string;
}

const intervalType = durationType({ min: 5, max: 3600 });

export function registerDevCommand(program: Command, ctx: CliContext): void {
  program
    .command('dev')
    .description(
      'Run the whole product locally: gateway, detector, tables and a demo upstream (no AWS needed)',
    )
    .addOption(knobOption('port', '--port <port>'))
    .option('--data-dir <dir>', 'keep the local tables in this folder across restarts (default: in memory)')
    .option('--detector-interval <duration>', 'how often the anomaly detector runs', '60s')
    .addOption(commonOptions.envFile())
    .addHelpText(
      'after',
      `
Settings are read like every other command (flags > environment > .env > preset). With no upstream
configured, a demo orders API stands in; with no JWT source, a random secret is generated for this run
and kept in memory only. Redis is used when ${envName('redisUrl')} is set, an in-process bucket otherwise.

Examples:
  $ npx sentinel-api dev
  $ sentinel dev --port 8080 --detector-interval 15s
  $ SENTINEL_API_UPSTREAM_BASE_URL=http://localhost:3000 sentinel dev --data-dir .sentinel/data`,
    )
    .action(async (flags: DevFlags) => {
      const interval = intervalType.parse(flags.detectorInterval);
      if (!interval.ok)
        throw new UsageError(`--detector-interval ${interval.problem}`, { hint: interval.hint });
      // Nothing is required: the dev stack fills in an upstream and a secret when they are missing.
      const resolved = loadConfig({
        ...configSources(flags, ctx),
        scope: ['gateway', 'detector'],
        require: [],
      });
      for (const warning of resolved.warnings)
        ctx.ui.warn(`${warning.variable} ${warning.problem}: ${warning.hint}`);
      const { startDevStack } = await import('../../dev/dev-stack');
      const { createTerminalLineSink, detectorLine, withoutMetrics } = await import('../../dev/terminal-log');
      const { createLineWriter } = await import('../../../runtime/lib/line-writer');
      const { ui } = ctx;
      const lines = ui.isTTY
        ? createTerminalLineSink(ui.stdout, ui.colors)
        : withoutMetrics(createLineWriter(ui.stdout), resolved.values.logLevel === 'debug');
      const detectorSummary = detectorLine();
      const c = ui.errColors;
      const stack = await startDevStack({
        resolved,
        port: resolved.values.port,
        dataDir: flags.dataDir,
        detectorIntervalSeconds: interval.value,
        cwd: ctx.cwd,
        lines,
        onAlert: (alert) => ui.info(c.yellow(`\n⚠ ${alert.subject}\n${alert.message.split('\n\n')[0]}\n`)),
        onDetectorRun: (summary) => {
          const line = detectorSummary(summary);
          if (line) ui.info(c.dim(line));
        },
        onDetectorError: (error) => ui.warn(`detector run failed: ${(error as Error).message}`),
      });

      const url = stack.gatewayUrl;
      const token = await stack.mint?.('demo-user');
      const secretNote = {
        generated: 'a random secret generated for this run (kept in memory, never written)',
        config: `your ${envName('jwtSecretKey')}`,
        none: 'your JWKS URL / public key (mint tokens with your identity provider)',
      }[stack.secretSource];
      ui.info(
        [
          '',
          c.bold(c.green('SentinelAPI dev stack is running')),
          `  gateway    ${c.cyan(url)}`,
          `  upstream   ${stack.upstreamUrl}${stack.demoUpstream ? ' (demo API: GET /v1/orders, GET /v1/orders/:id, POST /v1/orders, GET /v1/profile)' : ''}`,
          `  store      ${stack.storeEndpoint} (${flags.dataDir ? `kept in ${flags.dataDir}` : 'in memory'}; tables ${Object.values(stack.tables).join(', ')})`,
          `  detector   every ${formatDuration(interval.value)}; blocklist refresh every ${formatDuration(stack.config.values.blocklistRefreshSeconds)}`,
          `  tokens     signed with ${secretNote}`,
          '',
          'Try it:',
          ...(token ? [`  export TOKEN=${token}`] : ['  export TOKEN=<a token from your identity provider>']),
          `  curl -s ${url}/auth/verify -H "Authorization: Bearer $TOKEN"`,
          `  curl -s "${url}/proxy/v1/orders?limit=5" -H "Authorization: Bearer $TOKEN"`,
          `  npx sentinel-api smoke           ${c.dim('# health, auth, proxy and rate-limit checks')}`,
          `  npx sentinel-api smoke anomaly   ${c.dim('# proves a burst and an auth storm are detected and refused')}`,
          c.dim('Ctrl-C stops everything.'),
          '',
        ].join('\n'),
      );

      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          ui.info(c.dim(`\n${signal}: stopping the dev stack...`));
          stack.stop().then(resolve, resolve);
        };
        process.once('SIGINT', () => stop('SIGINT'));
        process.once('SIGTERM', () => stop('SIGTERM'));
      });
      lines.flush();
    });
}
