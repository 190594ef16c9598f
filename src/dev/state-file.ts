// Where a running `sentinel dev` says what it started, so `sentinel smoke` and `sentinel blocklist`
// find it without flags. It holds endpoints and a per-run control token, never the JWT secret.
import { mkdirSync, readFileSync, renameSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { TableNames } from '../../core/shared/table-setup';

export const DEV_STATE_FILE = join('.sentinel', 'dev.json');

export interface DevState {
  version: 1;
  pid: number;
  startedAt: string;
  gatewayUrl: string;
  /** The embedded DynamoDB-compatible store. */
  dynamodbEndpoint: string;
  tables: TableNames;
  upstreamUrl: string;
  /** Loopback-only control API of the dev process (mint tokens, run the detector now). */
  controlUrl: string;
  /** Bearer token for the control API; valid only while this dev process runs. */
  controlToken: string;
  /** Where the JWT secret came from; a generated one stays in the dev process's memory. */
  secretSource: 'config' | 'generated' | 'none';
  blocklistRefreshSeconds: number;
  telemetryFlushSeconds: number;
  detectorIntervalSeconds: number;
}

export function devStatePath(cwd: string): string {
  return join(cwd, DEV_STATE_FILE);
}

export function writeDevState(cwd: string, state: DevState): void {
  const path = devStatePath(cwd);
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  // Owner-only: the control token can mint tokens for this dev stack.
  writeFileSync(temp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(temp, path);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The running dev stack's state; undefined when there is none (or it died without cleaning up). */
export function readDevState(cwd: string): DevState | undefined {
  let state: DevState;
  try {
    state = JSON.parse(readFileSync(devStatePath(cwd), 'utf8')) as DevState;
  } catch {
    return undefined;
  }
  if (state.version !== 1 || !processAlive(state.pid)) return undefined;
  return state;
}

export function removeDevState(cwd: string, pid = process.pid): void {
  const path = devStatePath(cwd);
  try {
    const state = JSON.parse(readFileSync(path, 'utf8')) as DevState;
    // Only the process that wrote it removes it, so a second dev run cannot delete the first's file.
    if (state.pid !== pid) return;
  } catch {
    return;
  }
  rmSync(path, { force: true });
  // The folder was made for this file; left empty it would only puzzle (a --data-dir inside keeps it).
  try {
    rmdirSync(dirname(path));
  } catch {
    // Not empty, or already gone.
  }
}
