// `sentinel blocklist` against a dev stack (found through its state file) with the built binary, and
// against a deployed stack whose outputs come from a scripted CloudFormation mock.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/run';
import { writeDevState } from '../../../src/dev/state-file';
import { fromBlockItem } from '../../../core/shared/block-record';
import { putBlock } from '../../../core/shared/blocklist-table';
import type { TableNames } from '../../../core/shared/table-setup';
import { runBuiltCli } from '../../helpers/cli';
import { startDynalite, type DynaliteServer } from '../../helpers/dynalite';

let store: DynaliteServer;
let tables: TableNames;
const cwd = mkdtempSync(join(tmpdir(), 'sentinel-blocklist-'));

beforeAll(async () => {
  store = await startDynalite();
  tables = await store.createTables();
  // A dev stack "running" as this test process: the CLI finds it through the state file.
  writeDevState(cwd, {
    version: 1,
    pid: process.pid,
    startedAt: new Date().toISOString(),
    gatewayUrl: 'http://127.0.0.1:1',
    dynamodbEndpoint: store.endpoint,
    tables,
    upstreamUrl: 'http://127.0.0.1:2',
    controlUrl: 'http://127.0.0.1:3',
    controlToken: 'unused',
    secretSource: 'none',
    blocklistRefreshSeconds: 2,
    telemetryFlushSeconds: 2,
    detectorIntervalSeconds: 60,
  });
});

afterAll(async () => {
  await store.stop();
  rmSync(cwd, { recursive: true, force: true });
});

async function item(pk: string) {
  const { Item } = await store
    .documentClient()
    .send(new GetCommand({ TableName: tables.blocklist, Key: { pk } }));
  return Item;
}

describe('sentinel blocklist on the dev stack (built binary)', () => {
  it('adds, lists and removes blocks in the detector record format', async () => {
    const add = await runBuiltCli(
      ['blocklist', 'add', 'user:mallory', '--ttl', '2h', '--reason', 'scraping'],
      { cwd },
    );
    expect(add.code).toBe(0);
    expect(add.stderr).toContain('within 2s');
    const record = fromBlockItem((await item('USER#mallory'))!);
    expect(record).toMatchObject({
      entity: { kind: 'user', id: 'mallory' },
      reason: 'scraping',
      source: 'manual',
      strikes: 1,
    });
    expect(record!.expiresAt - record!.blockedAt).toBe(7200);

    expect(
      (
        await runBuiltCli(
          ['blocklist', 'add', 'ip:::ffff:203.0.113.7', '--ttl', '60', '--reason', 'stuffing'],
          { cwd },
        )
      ).code,
    ).toBe(0);
    expect(await item('IP#203.0.113.7')).toBeDefined();

    const ls = await runBuiltCli(['blocklist', 'ls', '--json'], { cwd });
    expect(ls.code).toBe(0);
    const listed = JSON.parse(ls.stdout) as {
      blocks: Array<{ entity: string; active: boolean; reason: string }>;
    };
    expect(listed.blocks.map((b) => b.entity).sort()).toEqual(['ip:203.0.113.7', 'user:mallory']);
    expect(listed.blocks.every((b) => b.active)).toBe(true);

    const table = await runBuiltCli(['blocklist', 'ls'], { cwd });
    expect(table.stdout).toMatch(/ENTITY\s+ACTION\s+REASON/);
    expect(table.stdout).toMatch(/user:mallory\s+block\s+scraping\s+manual/);

    const rm = await runBuiltCli(['blocklist', 'rm', 'user:mallory'], { cwd });
    expect(rm.code).toBe(0);
    expect(await item('USER#mallory')).toBeUndefined();
    const again = await runBuiltCli(['blocklist', 'rm', 'user:mallory', '--json'], { cwd });
    expect(JSON.parse(again.stdout)).toEqual({ entity: 'user:mallory', removed: false, action: null });
  });

  it('adds, lists and removes throttles, with the rate, the burst and the public reason', async () => {
    const add = await runBuiltCli(
      [
        'blocklist',
        'add',
        'user:batch-7',
        '--throttle',
        '2/s',
        '--ttl',
        '1h',
        '--reason',
        'order surge',
        '--public-reason',
        'Unusual volume',
      ],
      { cwd },
    );
    expect(add.code).toBe(0);
    expect(add.stderr).toContain('user:batch-7');
    expect(add.stderr).toContain('2/s');
    const record = fromBlockItem((await item('USER#batch-7'))!);
    expect(record).toMatchObject({
      action: 'throttle',
      // One second's worth of the rate by default.
      limit: { capacity: 2, refillPerSecond: 2 },
      reason: 'order surge',
      publicReason: 'Unusual volume',
      source: 'manual',
    });
    expect(record!.expiresAt - record!.blockedAt).toBe(3600);

    const ip = await runBuiltCli(
      [
        'blocklist',
        'add',
        'ip:203.0.113.77',
        '--throttle',
        '120/m',
        '--burst',
        '20',
        '--ttl',
        '30m',
        '--reason',
        'crawler',
        '--json',
      ],
      { cwd },
    );
    expect(ip.code).toBe(0);
    expect(JSON.parse(ip.stdout)).toMatchObject({
      added: { entity: 'ip:203.0.113.77', action: 'throttle', limit: { capacity: 20, refillPerSecond: 2 } },
    });

    const listed = JSON.parse((await runBuiltCli(['blocklist', 'ls', '--json'], { cwd })).stdout) as {
      blocks: Array<{ entity: string; action: string; limit: unknown; publicReason: string | null }>;
    };
    expect(listed.blocks).toContainEqual(
      expect.objectContaining({
        entity: 'user:batch-7',
        action: 'throttle',
        limit: { capacity: 2, refillPerSecond: 2 },
        publicReason: 'Unusual volume',
      }),
    );
    const table = await runBuiltCli(['blocklist', 'ls'], { cwd });
    expect(table.stdout).toMatch(/ENTITY\s+ACTION\s+REASON/);
    expect(table.stdout).toMatch(/user:batch-7\s+throttle 2\/s\s+order surge/);
    expect(table.stdout).toMatch(/ip:203\.0\.113\.77\s+throttle 2\/s burst 20\s+crawler/);

    const rm = await runBuiltCli(['blocklist', 'rm', 'user:batch-7', '--json'], { cwd });
    expect(JSON.parse(rm.stdout)).toEqual({ entity: 'user:batch-7', removed: true, action: 'throttle' });
    expect(await item('USER#batch-7')).toBeUndefined();
    expect((await runBuiltCli(['blocklist', 'rm', 'ip:203.0.113.77'], { cwd })).code).toBe(0);
    expect(await item('IP#203.0.113.77')).toBeUndefined();
  });

  it('fits long reasons and evidence into the table, whole with --wide and in --json', async () => {
    const now = Math.floor(Date.now() / 1000);
    const reason = `spike of ${'very unusual traffic '.repeat(12)}at night`;
    await putBlock(store.documentClient(), tables.blocklist, {
      entity: { kind: 'user', id: 'wordy' },
      action: 'block',
      reason,
      evidence: { signal: 'spike', requests: 101, expected: 4.123456, z: 17.4, window: '2026-12-06T02:00Z' },
      blockedAt: now,
      expiresAt: now + 600,
      source: 'detector',
      strikes: 1,
    });
    // A terminal of 120 columns (COLUMNS stands in for one).
    const table = await runBuiltCli(['blocklist', 'ls'], { cwd, env: { COLUMNS: '120' } });
    const row = table.stdout.split('\n').find((line) => line.startsWith('user:wordy'))!;
    expect(row.length).toBeLessThanOrEqual(120);
    expect(row).toContain('…');
    // Cut at a word boundary: what is shown is whole words of the reason.
    const shown = /block\s+(spike of [^…]*)…/.exec(row)![1]!;
    expect(reason.startsWith(shown)).toBe(true);
    expect(reason.charAt(shown.length)).toBe(' ');
    const wide = await runBuiltCli(['blocklist', 'ls', '--wide'], { cwd, env: { COLUMNS: '120' } });
    expect(wide.stdout).toContain(reason);
    expect(wide.stdout).toContain('window=2026-12-06T02:00Z');
    const json = JSON.parse((await runBuiltCli(['blocklist', 'ls', '--json'], { cwd })).stdout) as {
      blocks: Array<{ entity: string; reason: string }>;
    };
    expect(json.blocks.find((b) => b.entity === 'user:wordy')?.reason).toBe(reason);
    await runBuiltCli(['blocklist', 'rm', 'user:wordy'], { cwd });
  });

  it('hides expired blocks unless --all', async () => {
    const now = Math.floor(Date.now() / 1000);
    await putBlock(store.documentClient(), tables.blocklist, {
      entity: { kind: 'user', id: 'old' },
      action: 'block',
      reason: 'expired',
      blockedAt: now - 7200,
      expiresAt: now - 3600,
      source: 'detector',
      strikes: 2,
    });
    const active = JSON.parse((await runBuiltCli(['blocklist', 'ls', '--json'], { cwd })).stdout) as {
      blocks: Array<{ entity: string }>;
    };
    expect(active.blocks.map((b) => b.entity)).not.toContain('user:old');
    const all = JSON.parse((await runBuiltCli(['blocklist', 'ls', '--all', '--json'], { cwd })).stdout) as {
      blocks: Array<{ entity: string; active: boolean }>;
    };
    expect(all.blocks).toContainEqual(expect.objectContaining({ entity: 'user:old', active: false }));
  });

  it('rejects malformed entities, durations and rates with exit 2, the entity first', async () => {
    const bad = await runBuiltCli(['blocklist', 'add', 'mallory', '--ttl', '1h', '--reason', 'x'], { cwd });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('user:<id> or ip:<address>');
    // No --ttl either: the entity is still what is reported.
    const bogus = await runBuiltCli(['blocklist', 'add', 'bogus', '--reason', 'x'], { cwd });
    expect(bogus.code).toBe(2);
    expect(bogus.stderr).toContain('user:<id> or ip:<address>');
    expect(bogus.stderr).not.toContain('--ttl');
    const noTtl = await runBuiltCli(['blocklist', 'add', 'user:a', '--reason', 'x'], { cwd });
    expect(noTtl.code).toBe(2);
    expect(noTtl.stderr).toContain('--ttl');
    for (const flags of [
      ['--throttle', 'fast'],
      ['--throttle', '0/s'],
      ['--throttle', '2/s', '--burst', '0'],
      ['--burst', '5'],
      ['--public-reason', ''],
    ]) {
      const result = await runBuiltCli(
        ['blocklist', 'add', 'user:a', '--ttl', '1h', '--reason', 'x', ...flags],
        {
          cwd,
        },
      );
      expect(result.code, flags.join(' ')).toBe(2);
    }
    expect(await item('USER#a')).toBeUndefined();
    expect(
      (await runBuiltCli(['blocklist', 'add', 'ip:999.1.1.1', '--ttl', '1h', '--reason', 'x'], { cwd })).code,
    ).toBe(2);
    expect(
      (await runBuiltCli(['blocklist', 'add', 'user:a', '--ttl', 'soon', '--reason', 'x'], { cwd })).code,
    ).toBe(2);
  });

  it('marks the required options and shows examples in every blocklist help', async () => {
    const add = await runBuiltCli(['blocklist', 'add', '--help'], { cwd });
    expect(add.stdout).toMatch(/--ttl <duration>.*\(required\)/);
    expect(add.stdout).toMatch(/--reason <text>[\s\S]*?\(required\)/);
    for (const sub of [[], ['ls'], ['add'], ['rm']]) {
      const help = await runBuiltCli(['blocklist', ...sub, '--help'], { cwd });
      expect(help.code).toBe(0);
      expect(help.stdout, sub.join(' ')).toMatch(/Examples:\n\s+\$ sentinel blocklist/);
    }
  });

  it('says what to do when there is nothing to act on', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'sentinel-none-'));
    const result = await runBuiltCli(['blocklist', 'ls'], { cwd: empty });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--stack-name');
    expect(result.stderr).toContain('sentinel-api dev');
    rmSync(empty, { recursive: true });
  });
});

describe('sentinel blocklist on a deployed stack (CloudFormation mocked)', () => {
  const cfn = mockClient(CloudFormationClient);
  afterAll(() => cfn.restore());

  it('finds the table through the stack outputs', async () => {
    cfn.on(DescribeStacksCommand, { StackName: 'SentinelSdkFull' }).resolves({
      Stacks: [
        {
          StackName: 'SentinelSdkFull',
          StackStatus: 'UPDATE_COMPLETE',
          CreationTime: new Date(),
          Outputs: [
            { OutputKey: 'BlocklistTableName', OutputValue: tables.blocklist },
            { OutputKey: 'TrafficAggregateTableName', OutputValue: tables.trafficAggregates },
            { OutputKey: 'RequestLogsTableName', OutputValue: tables.requestLogs },
            { OutputKey: 'GatewayUrl', OutputValue: 'http://sentinel-alb.example.com' },
          ],
        },
      ],
    });
    const stdout = new PassThrough();
    let out = '';
    stdout.on('data', (c: Buffer) => (out += c.toString()));
    const code = await runCli(
      [
        'blocklist',
        'add',
        'user:eve',
        '--ttl',
        '30m',
        '--reason',
        'abuse',
        '--stack-name',
        'SentinelSdkFull',
        '--region',
        'us-east-1',
        '--json',
      ],
      { stdout, stderr: new PassThrough(), env: { SENTINEL_API_DYNAMODB_ENDPOINT: store.endpoint }, cwd },
    );
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({
      added: { entity: 'user:eve', reason: 'abuse', source: 'manual' },
    });
    expect(await item('USER#eve')).toBeDefined();
  });

  it('exits 1 naming the stack when it does not exist', async () => {
    cfn
      .on(DescribeStacksCommand, { StackName: 'Nope' })
      .rejects(Object.assign(new Error('Stack with id Nope does not exist'), { name: 'ValidationError' }));
    const stderr = new PassThrough();
    let err = '';
    stderr.on('data', (c: Buffer) => (err += c.toString()));
    const code = await runCli(['blocklist', 'ls', '--stack-name', 'Nope', '--region', 'us-east-1'], {
      stdout: new PassThrough(),
      stderr,
      env: {},
      cwd,
    });
    expect(code).toBe(1);
    expect(err).toContain('Nope does not exist');
  });
});
