// One deploy's fixed facts, shared by its phases: what was asked, the engine, where the stack lives,
// who deploys it and the deadline. Every result is built on `resultBase`, so each phase reports the
// same identifying fields.
import type { ResolvedConfig } from '../../core/config/resolve';
import type { RenderedStack, StackMode } from '../templates';
import { type EngineContext, commandFor } from './engine';
import { fromMonitor } from './events';
import type { OperationDeps } from './recovery';
import { redactParameters, type DeployResult, type RedactedParameter } from './results';

export interface DeployRequest {
  mode: StackMode;
  stackName: string;
  config: ResolvedConfig;
  /** false: create the change set and stop (`--no-execute`). @default true */
  execute?: boolean;
  /** Allow replacing or deleting stateful resources (tables, Redis). @default false */
  allowReplace?: boolean;
  /** Continue a failed update rollback (UPDATE_ROLLBACK_FAILED). @default false */
  recover?: boolean;
  /** Stack tags, added to every resource CloudFormation tags. */
  tags?: Record<string, string>;
  /** Bound on the whole wait. @default 3600000 (one hour) */
  timeoutMs?: number;
}

export interface StackTarget {
  stackName: string;
  region: string;
  mode: StackMode;
}

export interface DeploySession {
  request: DeployRequest;
  ctx: EngineContext;
  target: StackTarget;
  account: string;
  startedAt: number;
  /** What following or recovering a stack operation needs: AWS, time, the deadline, progress. */
  ops: Required<OperationDeps>;
}

export function openSession(
  request: DeployRequest,
  ctx: EngineContext,
  where: { region: string; account: string; startedAt: number },
): DeploySession {
  return {
    request,
    ctx,
    target: { stackName: request.stackName, region: where.region, mode: request.mode },
    account: where.account,
    startedAt: where.startedAt,
    ops: {
      cfn: ctx.clients.cloudFormation,
      clock: ctx.clock,
      intervals: ctx.intervals,
      deadline: where.startedAt + (request.timeoutMs ?? 3_600_000),
      onEvent: (event) => ctx.onProgress(fromMonitor(event)),
    },
  };
}

export interface DeployResultBase {
  mode: StackMode;
  stackName: string;
  region: string;
  account: string;
  parameters: RedactedParameter[];
  elapsedMs: number;
}

/** The fields every deploy result carries; `rendered` is the template as (to be) submitted. */
export function resultBase(session: DeploySession, rendered: RenderedStack): DeployResultBase {
  return {
    mode: session.target.mode,
    stackName: session.target.stackName,
    region: session.target.region,
    account: session.account,
    parameters: redactParameters(rendered.parameters),
    elapsedMs: session.ctx.clock.now() - session.startedAt,
  };
}

/** Ctrl-C between phases: nothing is running on the stack, so there is nothing to cancel. */
export function stoppedResult(session: DeploySession, rendered: RenderedStack): DeployResult {
  return {
    ...resultBase(session, rendered),
    status: 'interrupted',
    action: 'stopped',
    nextSteps: [commandFor('deploy', session.target)],
  };
}
