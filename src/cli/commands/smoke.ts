// `sentinel smoke` and `sentinel smoke anomaly`: prove a running gateway works end to end — the dev
// stack (found through its state file), a deployed stack (--stack-name) or any URL (--url).
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { decodeJwt } from 'jose';
import { envName } from '../../../core/config/knob';
import { loadConfig } from '../../../core/config/load';
import { intType } from '../../../core/config/value-types';
import { mintToken, type SigningKey } from '../../jwt/mint';
import type { DetectorSummary } from '../../smoke/detector-summary';
import type { CheckResult } from '../../smoke/check';
import { formatEntity } from '../../../core/shared/entity';
import { ErrorCode, SentinelError, UsageError } from '../../../core/shared/errors';
import type { CliContext } from '../context';
import { commonOptions, configSources } from '../options';
import type { Target } from '../target';

interface SmokeFlags {
  url?: string;
  stackName?: string;
  region?: string;
  profile?: string;
  path?: string;
  token?: string;
  privateKey?: string;
  envFile?: string;
  json?: boolean;
}

/** The original product's variable for the smoke test's secret; still honoured. */
const SMOKE_SECRET_VARIABLE = 'SMOKE_JWT_SECRET_KEY';

function signingKey(
  flags: SmokeFlags,
  ctx: CliContext,
  configSecret: string | undefined,
): SigningKey | undefined {
  if (flags.privateKey)
    return { kind: 'private-key', pem: readFileSync(resolve(ctx.cwd, flags.privateKey), 'utf8') };
  const secret = ctx.env[SMOKE_SECRET_VARIABLE] || configSecret;
  return secret ? { kind: 'secret', secret } : undefined;
}

interface Context {
  target?: Target;
  url: string;
  label: string;
  mint: (subject: string) => Promise<string>;
  /** Fixed subject when the user passed --token. */
  fixedSubject?: string;
}

async function smokeContext(flags: SmokeFlags, ctx: CliContext, needsTarget: boolean): Promise<Context> {
  const config = loadConfig({ ...configSources(flags, ctx), scope: 'cli', require: [] }).values;
  let target: Target | undefined;
  let url = flags.url?.replace(/\/+$/, '');
  if (!url || needsTarget) {
    const { resolveTarget } = await import('../target');
    target = await resolveTarget(flags, ctx.cwd, {
      dynamodbEndpoint: ctx.env[envName('dynamodbEndpoint')] || undefined,
    });
    url ??= target.gatewayUrl;
    if (!url)
      throw new SentinelError(ErrorCode.StackOutputMissing, 'The stack has no gateway URL output', {
        hint: 'Is it a foundation stack? smoke needs the full mode, or pass --url',
      });
  }
  const label =
    target?.kind === 'dev' ? `dev stack ${url}` : target ? `stack ${target.stackName} ${url}` : url;
  if (flags.token) {
    const sub = decodeJwt(flags.token).sub;
    if (!sub) throw new UsageError('--token has no sub claim');
    return { target, url, label, mint: async () => flags.token!, fixedSubject: sub };
  }
  if (target?.kind === 'dev' && target.state.secretSource !== 'none') {
    const { callControl } = await import('../../dev/control-server');
    const state = target.state;
    return {
      target,
      url,
      label,
      mint: async (sub) =>
        (await callControl<{ token: string }>(state, '/mint', { sub, ttlSeconds: 900 })).token,
    };
  }
  const key = signingKey(flags, ctx, config.jwtSecretKey);
  if (!key) {
    throw new UsageError('smoke needs to mint test tokens, and no signing key is configured', {
      code: ErrorCode.JwtKeyMissing,
      hint: `Set ${envName('jwtSecretKey')} (or ${SMOKE_SECRET_VARIABLE}), pass --private-key FILE, or --token TOKEN for the basic checks`,
    });
  }
  return {
    target,
    url,
    label,
    mint: (subject) =>
      mintToken({
        key,
        algorithm: key.kind === 'secret' ? config.jwtAlgorithm : undefined,
        subject,
        ttlSeconds: 900,
        issuer: config.jwtIssuer,
        audience: config.jwtAudience,
      }),
  };
}

function printResults(
  ctx: CliContext,
  label: string,
  results: CheckResult[],
  extra: Record<string, unknown>,
  flags: { json?: boolean; wide?: boolean },
  /** A line after the table: what the run did beside its checks. */
  note?: string,
): void {
  const ok = results.every((r) => r.ok);
  if (flags.json) {
    ctx.ui.json({ target: label, ok, checks: results, ...extra });
  } else {
    const c = ctx.ui.colors;
    ctx.ui.table(
      ['CHECK', 'RESULT', 'DETAIL', 'TIME'],
      results.map((r) => [r.name, r.ok ? c.green('pass') : c.red('FAIL'), r.detail, `${r.durationMs}ms`]),
      { wide: flags.wide },
    );
    if (note) ctx.ui.info(`\n${note}`);
    ctx.ui.info(
      ok
        ? `\n${c.green('✔')} all ${results.length} checks passed against ${label}`
        : `\n${c.red('✖')} ${results.filter((r) => !r.ok).length} of ${results.length} checks failed against ${label}`,
    );
  }
  if (!ok) process.exitCode = 1;
}

function targetOptions(command: Command): Command {
  return command
    .option('--stack-name <name>', 'a deployed stack (its outputs give the URL and tables)')
    .option('--region <region>', 'AWS region of the stack')
    .option('--profile <profile>', 'AWS profile')
    .option('--path <path>', 'path under /proxy to call', '/')
    .option(
      '--private-key <file>',
      'PEM private key to mint test tokens (default: the configured shared secret)',
    )
    .option('--wide', 'show check details whole instead of fitting the terminal')
    .addOption(commonOptions.envFile())
    .addOption(commonOptions.json());
}

const countType = intType({ min: 1, max: 100_000 });
function count(flag: string, raw: string): number {
  const parsed = countType.parse(raw);
  if (!parsed.ok) throw new UsageError(`${flag} ${parsed.problem}`, { hint: parsed.hint });
  return parsed.value;
}

export function registerSmokeCommand(program: Command, ctx: CliContext): void {
  const smoke = targetOptions(
    program
      .command('smoke')
      .description('Check a running gateway end to end: health, auth, proxy, rate limits'),
  )
    .option('--url <url>', 'any running gateway (default: the dev stack here, or --stack-name)')
    .option('--token <jwt>', 'use this token instead of minting one (basic checks only)')
    .option(
      '--rate-limit',
      "also drain a test user's bucket and expect 429 (burns up to capacity+1 requests)",
    )
    .addHelpText(
      'after',
      `
Target: --url, --stack-name, or else the \`sentinel dev\` stack running in this folder.
Tokens are minted for a fresh test user with the configured secret (or ${SMOKE_SECRET_VARIABLE}, or
--private-key); against the dev stack they come from the dev process itself.
Against the dev stack or --stack-name, the run removes its test users' traffic from the tables
before the detector reads it, so it leaves no block, throttle or alert behind; it may first wait
for the next 15-minute bucket to have the time to. With --url alone it cannot.

Examples:
  $ sentinel smoke
  $ sentinel smoke --stack-name SentinelSdkFull --region us-east-1 --rate-limit
  $ sentinel smoke --url https://gateway.example.com --path /v1/health --json
  $ sentinel smoke anomaly`,
    )
    .action(async (flags: SmokeFlags & { rateLimit?: boolean; wide?: boolean }) => {
      // With --url alone there are no tables to remove the test traffic from.
      const context = await smokeContext(flags, ctx, flags.stackName !== undefined);
      const { basicChecks } = await import('../../smoke/basic-checks');
      const { runChecks } = await import('../../smoke/check');
      const subject = context.fixedSubject ?? `smoke-${randomBytes(6).toString('hex')}`;
      const traces = await traceRemoval(context, ctx, flags);
      if (traces) {
        const waitMs = traces.waitMs(flags.rateLimit ? 30_000 : 15_000);
        if (waitMs > 0) {
          ctx.ui.info(
            `Waiting ${Math.ceil(waitMs / 1000)}s for the next 15-minute bucket, so the test traffic can be removed before the detector reads it.`,
          );
          await new Promise((r) => setTimeout(r, waitMs));
        }
        traces.start();
      }
      const checks = basicChecks({
        url: context.url,
        mint: traces?.mint ?? context.mint,
        path: flags.path,
        rateLimit: flags.rateLimit,
        subject,
        ...(traces ? { fetch: traces.fetch } : {}),
      });
      const results = await runChecks(traces ? [...checks, traces.check] : checks);
      traces?.close();
      printResults(ctx, context.label, results, {}, flags);
    });

  targetOptions(
    smoke
      .command('anomaly')
      .description(
        'Prove a burst is throttled or blocked and an auth storm from one IP is blocked (403), then clean up',
      ),
  )
    .option('--baseline-hourly <n>', 'requests per hour seeded for the 8 hours before the burst', '10')
    .option('--burst-requests <n>', 'requests sent through the gateway in the burst', '120')
    // The default clears ANOMALY_AUTH_FAILURE_THRESHOLD of every preset many times over in a few
    // seconds, whatever the IP's usual level of failures.
    .option('--storm-requests <n>', 'requests with an invalid token in the auth storm', '200')
    .option('--no-auth-storm', 'skip the auth storm, which briefly blocks the IP this runs from')
    .option('--keep', 'keep the blocks and the seeded items (default: remove them)')
    .addHelpText(
      'after',
      `
Needs the dev stack or --stack-name (it reads and writes the stack's tables and runs its detector).
The auth storm briefly blocks the IP the smoke runs from (against a deployed stack: your public
address, so everyone behind the same NAT) until cleanup removes the block; --no-auth-storm skips it.

Examples:
  $ sentinel smoke anomaly
  $ sentinel smoke anomaly --stack-name SentinelSdkFull --region us-east-1 --burst-requests 200
  $ sentinel smoke anomaly --stack-name SentinelSdkFull --region us-east-1 --no-auth-storm`,
    )
    .action(async (_options: unknown, command: Command) => {
      // `smoke` and `smoke anomaly` share option names; commander gives a shared flag to the parent,
      // so read both levels.
      const flags = command.optsWithGlobals<
        SmokeFlags & {
          baselineHourly: string;
          burstRequests: string;
          stormRequests: string;
          authStorm: boolean;
          keep?: boolean;
          wide?: boolean;
        }
      >();
      const baselineHourly = count('--baseline-hourly', flags.baselineHourly);
      const burstRequests = count('--burst-requests', flags.burstRequests);
      const stormRequests = count('--storm-requests', flags.stormRequests);
      const context = await smokeContext({ ...flags, url: undefined }, ctx, true);
      const target = context.target!;
      const config = loadConfig({
        ...configSources(flags, ctx),
        scope: ['detector', 'gateway'],
        require: [],
      }).values;
      const { anomalyChecks } = await import('../../smoke/anomaly');
      const { runChecks } = await import('../../smoke/check');
      const { targetDocumentClient } = await import('../target');
      const client = targetDocumentClient(target, {
        dynamodbEndpoint: ctx.env[envName('dynamodbEndpoint')] || undefined,
      });
      const runDetector = await detectorRunner(target, flags);
      const { checks, report, cleanup } = anomalyChecks({
        gatewayUrl: context.url,
        client,
        tables: target.tables,
        mint: context.mint,
        runDetector,
        baselineHourly,
        burstRequests,
        authStorm: flags.authStorm && { requests: stormRequests },
        threshold: config.anomalyThreshold,
        minRequests: config.anomalyMinRequests,
        flushSeconds:
          target.kind === 'dev' ? target.state.telemetryFlushSeconds : config.telemetryFlushSeconds,
        refreshSeconds:
          target.kind === 'dev' ? target.state.blocklistRefreshSeconds : config.blocklistRefreshSeconds,
        path: flags.path,
        keep: flags.keep,
        aggregateTtlDays: config.aggregateTtlDays,
      });
      if (flags.authStorm && target.kind !== 'dev')
        ctx.ui.warn(
          `the auth storm briefly blocks the IP this runs from (and everyone behind the same NAT) on ${context.label}; --no-auth-storm skips it`,
        );
      const results: CheckResult[] = [];
      for (const check of checks) {
        const [result] = await runChecks([check]);
        results.push(result!);
        if (!result!.ok) break; // later steps depend on earlier ones
      }
      // Cleanup reports what it could not remove rather than throwing; the catch is for the unforeseen.
      const failures = await cleanup().catch((error: unknown) => [
        { entity: formatEntity({ kind: 'user', id: report.user }), message: (error as Error).message },
      ]);
      for (const failure of failures)
        ctx.ui.warn(
          `cleanup of ${failure.entity} failed: ${failure.message}; remove it by hand: ${blocklistRmCommand(target, failure.entity)}`,
        );
      client.destroy();
      const storm = report.storm;
      const stormIp = storm?.ip !== undefined ? formatEntity({ kind: 'ip', id: storm.ip }) : undefined;
      const kept =
        flags.keep && stormIp && storm?.action === 'block'
          ? ` The IP block is kept too: ${blocklistRmCommand(target, stormIp)} lifts it.`
          : '';
      const note =
        `Test user ${report.user}: baseline ${report.baselineHourly}/h for 8h, burst ${report.burstSent} requests` +
        (report.ratio !== undefined
          ? `, ratio ${report.ratio} (threshold ${report.threshold}, minimum ${report.minRequests} requests)`
          : '') +
        (report.cleanedUp ? '; test data removed.' : flags.keep ? '; test data kept (--keep).' : '.') +
        (storm
          ? `\nAuth storm: ${storm.sent} requests with an invalid token` +
            (stormIp ? ` from ${stormIp}` : '') +
            (storm.signal ? `, ${storm.signal} -> ${storm.action}` : '') +
            (storm.enforcedAfterMs !== undefined
              ? `, 403 after ${(storm.enforcedAfterMs / 1000).toFixed(1)}s`
              : '') +
            `.${kept}`
          : '\nAuth storm skipped (--no-auth-storm).');
      printResults(ctx, context.label, results, { report }, flags, note);
    });
}

/**
 * The removal of the test traffic when the run can reach the stack's tables, and a warning when it
 * cannot (a URL alone, or a token of a real user, whose items are not the smoke's to delete).
 */
async function traceRemoval(context: Context, ctx: CliContext, flags: SmokeFlags & { rateLimit?: boolean }) {
  const target = context.target;
  if (!target || context.fixedSubject !== undefined) {
    if (flags.rateLimit)
      ctx.ui.warn(
        context.fixedSubject !== undefined
          ? `--token: the drain runs as ${context.fixedSubject}, whose traffic the detector judges like any other`
          : '--url alone: the test traffic stays in the aggregates, and the detector may throttle or block the drained test user; add --stack-name (or run against the dev stack) to remove it',
      );
    return undefined;
  }
  const { noTrace } = await import('../../smoke/no-trace');
  const { targetDocumentClient } = await import('../target');
  const client = targetDocumentClient(target, {
    dynamodbEndpoint: ctx.env[envName('dynamodbEndpoint')] || undefined,
  });
  const flushSeconds =
    target.kind === 'dev'
      ? target.state.telemetryFlushSeconds
      : loadConfig({ ...configSources(flags, ctx), scope: 'gateway', require: [] }).values
          .telemetryFlushSeconds;
  return {
    ...noTrace({ client, tables: target.tables, flushSeconds, mint: context.mint }),
    close: () => client.destroy(),
  };
}

/** The command that lifts `entity`'s block on this target, for the operator to copy. */
function blocklistRmCommand(target: Target, entity: string): string {
  const where =
    target.kind === 'stack'
      ? ` --stack-name ${target.stackName} --region ${target.region}${target.profile ? ` --profile ${target.profile}` : ''}`
      : '';
  return `sentinel blocklist rm ${entity}${where}`;
}

async function detectorRunner(target: Target, flags: SmokeFlags) {
  if (target.kind === 'dev') {
    const { callControl } = await import('../../dev/control-server');
    const state = target.state;
    return (at: number) => callControl<DetectorSummary>(state, '/detector/run', { now: at });
  }
  const functionName = target.outputs.AnomalyDetectorFunctionName;
  if (!functionName)
    throw new SentinelError(
      ErrorCode.StackOutputMissing,
      `Stack ${target.stackName} has no AnomalyDetectorFunctionName output`,
    );
  const { createAwsClients } = await import('../../deploy/aws-clients');
  const clients = createAwsClients({ region: target.region, profile: flags.profile });
  return async (at: number) => {
    const response = await clients.lambda.invoke({
      FunctionName: functionName,
      Payload: new TextEncoder().encode(JSON.stringify({ evaluateAt: new Date(at).toISOString() })),
    });
    const text = new TextDecoder().decode(response.Payload ?? new Uint8Array());
    if (response.FunctionError) throw new Error(`the detector failed: ${text.slice(0, 300)}`);
    return JSON.parse(text) as DetectorSummary;
  };
}
