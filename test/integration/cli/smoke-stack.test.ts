// `sentinel smoke --stack-name`: the stack's outputs (from a scripted CloudFormation mock) lead to a
// real running gateway and store (an in-process dev stack), and the detector "Lambda" (a Lambda mock)
// runs the real handler against that store, as the deployed function would.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/run';
import type { DevStack } from '../../../src/dev/dev-stack';
import { startTestDevStack, type TestDevStack } from '../../helpers/dev-stack';
import { eventually } from '../../helpers/gateway';

const SECRET = 'smoke-stack-test-secret-with-more-than-32-bytes';
const stackCwd = mkdtempSync(join(tmpdir(), 'sentinel-smoke-caller-'));
const cfn = mockClient(CloudFormationClient);
const lambda = mockClient(LambdaClient);
let dev: TestDevStack;
let stack: DevStack;

beforeAll(async () => {
  dev = await startTestDevStack(SECRET);
  stack = dev.stack;
  cfn.on(DescribeStacksCommand, { StackName: 'SentinelSdkFull' }).resolves({
    Stacks: [
      {
        StackName: 'SentinelSdkFull',
        StackStatus: 'CREATE_COMPLETE',
        CreationTime: new Date(),
        Outputs: [
          { OutputKey: 'GatewayUrl', OutputValue: stack.gatewayUrl },
          { OutputKey: 'BlocklistTableName', OutputValue: stack.tables.blocklist },
          { OutputKey: 'TrafficAggregateTableName', OutputValue: stack.tables.trafficAggregates },
          { OutputKey: 'RequestLogsTableName', OutputValue: stack.tables.requestLogs },
          { OutputKey: 'AnomalyDetectorFunctionName', OutputValue: 'SentinelSdkFull-AnomalyDetector' },
        ],
      },
    ],
  });
  lambda
    .on(InvokeCommand, { FunctionName: 'SentinelSdkFull-AnomalyDetector' })
    .callsFake(async (input: { Payload: Uint8Array }) => {
      const event = JSON.parse(new TextDecoder().decode(input.Payload)) as { evaluateAt: string };
      const summary = await stack.runDetector(Date.parse(event.evaluateAt));
      return { StatusCode: 200, Payload: new TextEncoder().encode(JSON.stringify(summary)) };
    });
}, 30_000);

afterAll(async () => {
  cfn.restore();
  lambda.restore();
  await dev?.stop();
  rmSync(stackCwd, { recursive: true, force: true });
});

async function smoke(args: string[]) {
  const stdout = new PassThrough();
  let out = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  const code = await runCli(
    ['smoke', ...args, '--stack-name', 'SentinelSdkFull', '--region', 'us-east-1', '--json'],
    {
      stdout,
      stderr: new PassThrough(),
      env: { SENTINEL_API_JWT_SECRET_KEY: SECRET, SENTINEL_API_DYNAMODB_ENDPOINT: stack.storeEndpoint },
      cwd: stackCwd,
    },
  );
  return {
    code,
    report: JSON.parse(out) as {
      ok: boolean;
      checks: Array<{ name: string; ok: boolean; detail: string }>;
      report?: { storm?: { ip?: string; sent: number; signal?: string; action?: string } };
    },
  };
}

/** A run without --json, stdout and stderr into one stream, as a terminal shows them. */
async function smokeText(args: string[]) {
  const both = new PassThrough();
  let text = '';
  both.on('data', (c: Buffer) => (text += c.toString()));
  const code = await runCli(['smoke', ...args, '--stack-name', 'SentinelSdkFull', '--region', 'us-east-1'], {
    stdout: both,
    stderr: both,
    env: {
      SENTINEL_API_JWT_SECRET_KEY: SECRET,
      SENTINEL_API_DYNAMODB_ENDPOINT: stack.storeEndpoint,
      COLUMNS: '100',
    },
    cwd: stackCwd,
  });
  return { code, text };
}

/**
 * Waits until the gateway lets this machine through again: cleanup removes the storm's IP block from
 * the table, and the gateway drops it at its next blocklist refresh.
 */
async function letThroughAgain() {
  const token = await stack.mint!('smoke-stack-bystander');
  await eventually(
    async () => {
      const res = await fetch(`${stack.gatewayUrl}/proxy/`, {
        headers: { authorization: `Bearer ${token}` },
      });
      await res.arrayBuffer();
      return res.status === 200;
    },
    (stack.config.values.blocklistRefreshSeconds * 2 + 5) * 1000,
    100,
  );
}

describe('sentinel smoke --stack-name', () => {
  it('finds the gateway through the stack outputs and passes the basic checks', async () => {
    const { code, report } = await smoke([]);
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    // The six checks, and the removal of the test traffic, which a stack's tables allow.
    expect(report.checks.map((c) => c.name)).toHaveLength(7);
    expect(report.checks.at(-1)).toMatchObject({ name: 'test traffic removed', ok: true });
    expect(code).toBe(0);
    // A run started near the end of a bucket first waits for the next one.
  }, 150_000);

  it('smoke anomaly invokes the detector function with evaluateAt and sees both 403s', async () => {
    lambda.resetHistory();
    const { code, report } = await smoke(['anomaly', '--storm-requests', '100']);
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    // Once for the burst, once for the auth storm.
    const calls = lambda.commandCalls(InvokeCommand);
    expect(calls).toHaveLength(2);
    for (const call of calls) {
      const payload = JSON.parse(new TextDecoder().decode(call.args[0].input.Payload as Uint8Array)) as {
        evaluateAt: string;
      };
      expect(Date.parse(payload.evaluateAt) % (15 * 60_000)).toBe(0);
    }
    expect(report.report?.storm).toMatchObject({ sent: 100, signal: 'auth-storm', action: 'block' });
    expect(report.report?.storm?.ip).toBeDefined();
    expect(code).toBe(0);
    await letThroughAgain();
  }, 60_000);

  it('smoke anomaly --no-auth-storm runs the volume path alone', async () => {
    lambda.resetHistory();
    const { code, report } = await smoke(['anomaly', '--no-auth-storm']);
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(report.checks).toHaveLength(5);
    expect(report.report?.storm).toBeUndefined();
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(1);
    expect(code).toBe(0);
  }, 60_000);

  it('smoke anomaly prints its results first, then what it did with the test data, in bounded rows', async () => {
    const { code, text } = await smokeText(['anomaly']);
    expect(code).toBe(0);
    const table = text.indexOf('CHECK');
    const note = text.indexOf('test data removed');
    expect(table).toBeGreaterThanOrEqual(0);
    expect(note).toBeGreaterThan(table);
    // Against a deployed stack it says, before anything, that the storm blocks this machine's IP.
    expect(text.indexOf('--no-auth-storm')).toBeGreaterThanOrEqual(0);
    expect(text.indexOf('--no-auth-storm')).toBeLessThan(table);
    const rows = text.split('\n').filter((line) => /^(seed|burst|gateway|detector|auth)/.test(line));
    expect(rows.length).toBeGreaterThanOrEqual(9);
    for (const row of rows) expect(row.length, row).toBeLessThanOrEqual(100);
  }, 60_000);
});
