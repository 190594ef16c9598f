// `sentinel blocklist ls|add|rm`: see and change who the gateway blocks or throttles, on a deployed
// stack or the running dev stack. Manual items use the detector's record format, so the gateway
// treats both alike. AWS and DynamoDB modules load only when a subcommand runs, so `sentinel --help`
// stays fast.
import { Option, type Command } from 'commander';
import { envName } from '../../../core/config/knob';
import { durationType, formatDuration } from '../../../core/config/value-types';
import { type BlockRecord, isBlockActive } from '../../../core/shared/block-record';
import { formatEntity, parseEntity, type Entity } from '../../../core/shared/entity';
import { ErrorCode, UsageError } from '../../../core/shared/errors';
import type { CliContext } from '../context';
import { commonOptions } from '../options';
import type { Target, TargetFlags } from '../target';
import { formatLimit, throttleLimit } from './throttle-rate';

interface Flags extends TargetFlags {
  json?: boolean;
}

interface AddFlags extends Flags {
  ttl?: string;
  reason?: string;
  publicReason?: string;
  throttle?: string;
  burst?: string;
}

const ttlType = durationType({ min: 1, max: 365 * 86400 });
const MAX_REASON = 500;
const MAX_PUBLIC_REASON = 200;
// Control characters would corrupt log lines, tables and the client's JSON.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

function entityArg(text: string): Entity {
  const parsed = parseEntity(text);
  if (!parsed.ok)
    throw new UsageError(parsed.problem, {
      code: ErrorCode.EntityInvalid,
      hint: 'e.g. user:alice or ip:203.0.113.7',
    });
  return parsed.entity;
}

function textOption(flag: string, value: string | undefined, max: number): string | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (text === '' || text.length > max || CONTROL.test(text))
    throw new UsageError(`${flag} must be 1-${max} printable characters`);
  return text;
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
    .join(' ');
}

function actionText(record: BlockRecord): string {
  return record.action === 'throttle' && record.limit ? `throttle ${formatLimit(record.limit)}` : 'block';
}

function blockJson(record: BlockRecord, nowMs: number) {
  return {
    entity: formatEntity(record.entity),
    action: record.action,
    limit: record.limit ?? null,
    reason: record.reason,
    publicReason: record.publicReason ?? null,
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

/** A manual block or throttle from `add`'s flags, checked in the order they are written. */
function recordFrom(text: string, flags: AddFlags, nowSeconds: number): BlockRecord {
  const entity = entityArg(text);
  if (flags.ttl === undefined) throw new UsageError('--ttl is required', { hint: 'e.g. --ttl 1h' });
  const ttl = ttlType.parse(flags.ttl);
  if (!ttl.ok) throw new UsageError(`--ttl ${ttl.problem}`, { hint: ttl.hint });
  const reason = textOption('--reason', flags.reason, MAX_REASON);
  if (reason === undefined)
    throw new UsageError('--reason is required', { hint: 'e.g. --reason "scraping /v1/orders"' });
  const publicReason = textOption('--public-reason', flags.publicReason, MAX_PUBLIC_REASON);
  if (flags.burst !== undefined && flags.throttle === undefined)
    throw new UsageError('--burst goes with --throttle', { hint: 'e.g. --throttle 2/s --burst 10' });
  let limit: BlockRecord['limit'];
  if (flags.throttle !== undefined) {
    const parsed = throttleLimit(flags.throttle, flags.burst);
    if (!parsed.ok) throw new UsageError(parsed.problem, { hint: parsed.hint });
    limit = parsed.value;
  }
  return {
    entity,
    action: limit ? 'throttle' : 'block',
    ...(limit ? { limit } : {}),
    reason,
    ...(publicReason ? { publicReason } : {}),
    evidence: { note: 'added manually with sentinel blocklist add' },
    blockedAt: nowSeconds,
    expiresAt: nowSeconds + ttl.value,
    source: 'manual',
    strikes: 1,
  };
}

export function registerBlocklistCommand(program: Command, ctx: CliContext): void {
  const blocklist = program
    .command('blocklist')
    .description('List, add and remove blocked or throttled users and IPs')
    .addHelpText(
      'after',
      `
Entities are written user:<id> or ip:<address>. A block refuses every request (403); a throttle
caps the rate (429 \`throttled\` past it), at the lower of the normal limit and the throttle.

Examples:
  $ sentinel blocklist ls
  $ sentinel blocklist add user:mallory --ttl 2h --reason "scraping"
  $ sentinel blocklist add user:batch-7 --throttle 2/s --ttl 1h --reason "order surge"
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

  withTargetOptions(
    blocklist.command('ls').description('List blocks and throttles (active ones; --all includes expired)'),
  )
    .option('--all', 'include expired items DynamoDB has not deleted yet')
    .option('--wide', 'show reasons and evidence whole instead of fitting the terminal')
    .addHelpText(
      'after',
      `
Examples:
  $ sentinel blocklist ls
  $ sentinel blocklist ls --all --wide
  $ sentinel blocklist ls --stack-name SentinelSdkFull --region eu-west-1 --json`,
    )
    .action(async (flags: Flags & { all?: boolean; wide?: boolean }) => {
      const { target, client, label, table } = await open(flags);
      const now = Date.now();
      const records = (await table.scanBlocks(client, target.tables.blocklist))
        .filter((r) => flags.all || isBlockActive(r, now))
        .sort((a, b) => b.blockedAt - a.blockedAt);
      client.destroy();
      if (flags.json) return ctx.ui.json({ target: label, blocks: records.map((r) => blockJson(r, now)) });
      if (records.length === 0) return ctx.ui.info(`No ${flags.all ? '' : 'active '}items on ${label}.`);
      // ui.table fits the rows to the terminal, cutting long reasons and evidence at a word.
      ctx.ui.table(
        ['ENTITY', 'ACTION', 'REASON', 'SOURCE', 'ADDED', 'EXPIRES', 'STRIKES', 'EVIDENCE'],
        records.map((r) => [
          formatEntity(r.entity),
          actionText(r),
          r.reason,
          r.source,
          relative(r.blockedAt - now / 1000),
          relative(r.expiresAt - now / 1000),
          String(r.strikes),
          evidenceText(r),
        ]),
        { wide: flags.wide },
      );
    });

  withTargetOptions(
    blocklist
      .command('add')
      .description('Block or throttle a user or IP for a while')
      .argument('<entity>', 'user:<id> or ip:<address>'),
  )
    // Checked in the action, after the entity, so a wrong entity is reported first.
    .addOption(new Option('--ttl <duration>', 'how long: seconds or 30m/2h/7d (required)'))
    .addOption(
      new Option('--reason <text>', 'why, for operators: logs, `ls` and alerts, never the client (required)'),
    )
    .option('--throttle <rate>', 'throttle instead of blocking: requests per unit, e.g. 2/s, 120/m, 600/h')
    .option('--burst <n>', "the throttle's bucket size (default: one second's worth of the rate, at least 1)")
    .option('--public-reason <text>', 'the one reason the refused client sees in its 403 or 429')
    .addHelpText(
      'after',
      `
A block answers 403; a throttle answers 429 \`throttled\` past its rate, and the gateway applies
the lower of it and the normal rate limit. An entity has one item: adding replaces it.

Examples:
  $ sentinel blocklist add user:mallory --ttl 2h --reason "scraping /v1/orders"
  $ sentinel blocklist add user:batch-7 --throttle 2/s --ttl 1h --reason "order surge" \\
      --public-reason "Unusual volume: limited to 2 requests per second for an hour"
  $ sentinel blocklist add ip:203.0.113.7 --throttle 120/m --burst 20 --ttl 30m --reason "crawler"`,
    )
    .action(async (text: string, flags: AddFlags) => {
      const now = Math.floor(Date.now() / 1000);
      const record = recordFrom(text, flags, now);
      const { target, client, label, table } = await open(flags);
      await table.putBlock(client, target.tables.blocklist, record);
      client.destroy();
      if (flags.json) return ctx.ui.json({ added: blockJson(record, now * 1000) });
      const what =
        record.action === 'throttle'
          ? `Throttled ${formatEntity(record.entity)} to ${formatLimit(record.limit!)}`
          : `Blocked ${formatEntity(record.entity)}`;
      ctx.ui.success(
        `${what} for ${formatDuration(record.expiresAt - now)} on ${label}; ${refreshNote(target)}.`,
      );
    });

  withTargetOptions(
    blocklist
      .command('rm')
      .description('Lift a block or a throttle')
      .argument('<entity>', 'user:<id> or ip:<address>'),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ sentinel blocklist rm user:mallory
  $ sentinel blocklist rm ip:203.0.113.7 --stack-name SentinelSdkFull --json`,
    )
    .action(async (text: string, flags: Flags) => {
      const entity = entityArg(text);
      const { target, client, label, table } = await open(flags);
      const { removed, record } = await table.deleteBlock(client, target.tables.blocklist, entity);
      client.destroy();
      const name = formatEntity(entity);
      if (flags.json) return ctx.ui.json({ entity: name, removed, action: record?.action ?? null });
      if (!removed) return ctx.ui.info(`${name} was neither blocked nor throttled on ${label}.`);
      const lifted = record?.action === 'throttle' ? 'the throttle on' : 'the block on';
      ctx.ui.success(`Removed ${lifted} ${name}; ${refreshNote(target)}.`);
    });
}
