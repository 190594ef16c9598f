// `sentinel blocklist ls|add|rm`: see and change who the gateway blocks, on a deployed stack or the
// running dev stack. Manual blocks use the detector's record format, so the gateway treats both alike.
// AWS and DynamoDB modules load only when a subcommand runs, so `sentinel --help` stays fast.
import type { Command } from 'commander';
import { envName } from '../../../core/config/knob';
import { durationType, formatDuration } from '../../../core/config/value-types';
import { type BlockRecord, isBlockActive } from '../../../core/shared/block-record';
import { formatEntity, parseEntity, type Entity } from '../../../core/shared/entity';
import { ErrorCode, UsageError } from '../../../core/shared/errors';
import type { CliContext } from '../context';
import { commonOptions } from '../options';
import type { Target, TargetFlags } from '../target';

interface Flags extends TargetFlags {
  json?: boolean;
}

const ttlType = durationType({ min: 1, max: 365 * 86400 });

function entityArg(text: string): Entity {
  const parsed = parseEntity(text);
  if (!parsed.ok)
    throw new UsageError(parsed.problem, {
      code: ErrorCode.EntityInvalid,
      hint: 'e.g. user:alice or ip:203.0.113.7',
    });
  return parsed.entity;
}

function relative(seconds: number): string {
  const abs = Math.abs(Math.round(seconds));
  const text =
    abs >= 86400
      ? `${Math.floor(abs / 86400)}d${Math.floor((abs % 86400) / 3600)}h`
      : abs >= 3600
        ? `${Math.floor(abs / 3600)}h${Math.floor((abs % 3600) / 60)}m`
        : abs >= 60
          ? `${Math.floor(abs / 60)}m`
          : `${abs}s`;
  return seconds >= 0 ? `in ${text}` : `${text} ago`;
}

function evidenceText(record: BlockRecord): string {
  if (!record.evidence) return '';
  return Object.entries(record.evidence)
    .filter(([, v]) => typeof v !== 'object')
    .map(([k, v]) => `${k}=${typeof v === 'number' ? Number(v.toFixed(2)) : String(v)}`)
    .join(' ')
    .slice(0, 60);
}

function blockJson(record: BlockRecord, nowMs: number) {
  return {
    entity: formatEntity(record.entity),
    reason: record.reason,
    source: record.source,
    strikes: record.strikes,
    blockedAt: new Date(record.blockedAt * 1000).toISOString(),
    expiresAt: new Date(record.expiresAt * 1000).toISOString(),
    active: isBlockActive(record, nowMs),
    evidence: record.evidence ?? null,
  };
}

function refreshNote(target: Target): string {
  const seconds = target.kind === 'dev' ? target.state.blocklistRefreshSeconds : undefined;
  return seconds
    ? `the gateway applies it within ${seconds}s`
    : `gateway tasks apply it within ${envName('blocklistRefreshSeconds')} (10s by default)`;
}

function withTargetOptions(command: Command): Command {
  return command
    .option('--stack-name <name>', 'a deployed stack (default: the running `sentinel dev` in this folder)')
    .option('--region <region>', 'AWS region of the stack')
    .option('--profile <profile>', 'AWS profile')
    .addOption(commonOptions.json());
}

export function registerBlocklistCommand(program: Command, ctx: CliContext): void {
  const blocklist = program
    .command('blocklist')
    .description('List, add and remove blocked users and IPs')
    .addHelpText(
      'after',
      `
Entities are written user:<id> or ip:<address>.

Examples:
  $ sentinel blocklist ls
  $ sentinel blocklist add user:mallory --ttl 2h --reason "scraping"
  $ sentinel blocklist add ip:203.0.113.7 --ttl 1d --reason "credential stuffing" --stack-name SentinelSdkFull
  $ sentinel blocklist rm user:mallory`,
    );
  const dynamodbEndpoint = ctx.env[envName('dynamodbEndpoint')] || undefined;
  const open = async (flags: TargetFlags) => {
    const { resolveTarget, targetDocumentClient, describeTarget } = await import('../target');
    const table = await import('../../../core/shared/blocklist-table');
    const target = await resolveTarget(flags, ctx.cwd, { dynamodbEndpoint });
    return {
      target,
      client: targetDocumentClient(target, { dynamodbEndpoint }),
      label: describeTarget(target),
      table,
    };
  };

  withTargetOptions(blocklist.command('ls').description('List blocks (active ones; --all includes expired)'))
    .option('--all', 'include expired blocks DynamoDB has not deleted yet')
    .action(async (flags: Flags & { all?: boolean }) => {
      const { target, client, label, table } = await open(flags);
      const now = Date.now();
      const records = (await table.scanBlocks(client, target.tables.blocklist))
        .filter((r) => flags.all || isBlockActive(r, now))
        .sort((a, b) => b.blockedAt - a.blockedAt);
      client.destroy();
      if (flags.json) return ctx.ui.json({ target: label, blocks: records.map((r) => blockJson(r, now)) });
      if (records.length === 0) return ctx.ui.info(`No ${flags.all ? '' : 'active '}blocks on ${label}.`);
      ctx.ui.table(
        ['ENTITY', 'REASON', 'SOURCE', 'BLOCKED', 'EXPIRES', 'STRIKES', 'EVIDENCE'],
        records.map((r) => [
          formatEntity(r.entity),
          r.reason,
          r.source,
          relative(r.blockedAt - now / 1000),
          relative(r.expiresAt - now / 1000),
          String(r.strikes),
          evidenceText(r),
        ]),
      );
    });

  withTargetOptions(
    blocklist
      .command('add')
      .description('Block a user or IP for a while')
      .argument('<entity>', 'user:<id> or ip:<address>'),
  )
    .requiredOption('--ttl <duration>', 'how long: seconds or 30m/2h/7d')
    .requiredOption('--reason <text>', 'why (shown to operators, and to the client in the 403)')
    .action(async (text: string, flags: Flags & { ttl: string; reason: string }) => {
      const entity = entityArg(text);
      const ttl = ttlType.parse(flags.ttl);
      if (!ttl.ok) throw new UsageError(`--ttl ${ttl.problem}`, { hint: ttl.hint });
      if (flags.reason.trim() === '' || flags.reason.length > 500)
        throw new UsageError('--reason must be 1-500 characters');
      const { target, client, label, table } = await open(flags);
      const now = Math.floor(Date.now() / 1000);
      const record: BlockRecord = {
        entity,
        action: 'block',
        reason: flags.reason.trim(),
        evidence: { note: 'added manually with sentinel blocklist add' },
        blockedAt: now,
        expiresAt: now + ttl.value,
        source: 'manual',
        strikes: 1,
      };
      await table.putBlock(client, target.tables.blocklist, record);
      client.destroy();
      if (flags.json) return ctx.ui.json({ added: blockJson(record, now * 1000) });
      ctx.ui.success(
        `Blocked ${formatEntity(entity)} for ${formatDuration(ttl.value)} on ${label}; ${refreshNote(target)}.`,
      );
    });

  withTargetOptions(
    blocklist.command('rm').description('Lift a block').argument('<entity>', 'user:<id> or ip:<address>'),
  ).action(async (text: string, flags: Flags) => {
    const entity = entityArg(text);
    const { target, client, label, table } = await open(flags);
    const removed = await table.deleteBlock(client, target.tables.blocklist, entity);
    client.destroy();
    if (flags.json) return ctx.ui.json({ entity: formatEntity(entity), removed });
    if (removed) ctx.ui.success(`Unblocked ${formatEntity(entity)}; ${refreshNote(target)}.`);
    else ctx.ui.info(`${formatEntity(entity)} was not blocked on ${label}.`);
  });
}
