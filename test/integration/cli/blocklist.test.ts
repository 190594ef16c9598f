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
    expect(table.stdout).toMatch(/ENTITY\s+REASON/);
    expect(table.stdout).toMatch(/user:mallory\s+scraping\s+manual/);

    const rm = await runBuiltCli(['blocklist', 'rm', 'user:mallory'], { cwd });
    expect(rm.code).toBe(0);
    expect(await item('USER#mallory')).toBeUndefined();
    const again = await runBuiltCli(['blocklist', 'rm', 'user:mallory', '--json'], { cwd });
    expect(JSON.parse(again.stdout)).toEqual({ entity: 'user:mallory', removed: false });
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

  it('rejects malformed entities and durations with exit 2', async () => {
    const bad = await runBuiltCli(['blocklist', 'add', 'mallory', '--ttl', '1h', '--reason', 'x'], { cwd });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('user:<id> or ip:<address>');
    expect(
      (await runBuiltCli(['blocklist', 'add', 'ip:999.1.1.1', '--ttl', '1h', '--reason', 'x'], { cwd })).code,
    ).toBe(2);
    expect(
      (await runBuiltCli(['blocklist', 'add', 'user:a', '--ttl', 'soon', '--reason', 'x'], { cwd })).code,
    ).toBe(2);
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
