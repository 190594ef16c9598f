// Change sets: create one for the rendered template, wait until CloudFormation has computed it, and
// read its changes. "No changes" is an expected outcome, returned as a value, not an error.
import { randomBytes } from 'node:crypto';
import type { Change, CreateChangeSetCommandOutput, Parameter, Tag } from '@aws-sdk/client-cloudformation';
import { ErrorCode, SentinelError } from '../../core/shared/errors';
import type { CloudFormationApi } from './aws-clients';
import type { Clock, PollIntervals } from './clock';
import { isNoChangesReason } from './stack-status';
import { bestEffort } from './throttle';

/** IAM roles are named by CloudFormation, not by the templates; no macros or nested stacks. */
export const CAPABILITIES = ['CAPABILITY_IAM'] as const;

export interface ChangeSetRequest {
  stackName: string;
  /** Unique per deploy (see changeSetName()): it is also the idempotency token. */
  changeSetName: string;
  type: 'CREATE' | 'UPDATE';
  /** One of body or URL: CloudFormation accepts bodies up to 51,200 bytes, larger ones from S3. */
  templateBody?: string;
  templateUrl?: string;
  parameters: Parameter[];
  tags: Tag[];
  description?: string;
}

export type ChangeSetOutcome =
  | { kind: 'ready'; id: string; stackId: string; changes: Change[] }
  /** `id` is unset when CreateChangeSet itself said so (no change set was made). */
  | { kind: 'no-changes'; id?: string; stackId: string }
  /** Ctrl-C while CloudFormation was still computing it: see discardPendingChangeSet(). */
  | { kind: 'interrupted'; id: string; stackId: string };

export interface WaitOptions {
  clock: Clock;
  intervals: PollIntervals;
  signal?: AbortSignal;
  /** Give up after this many ms. @default 600000 */
  timeoutMs?: number;
}

/**
 * A name no other deploy picks: the time to the millisecond and a random `nonce` (hex), so two
 * deploys started in the same second do not collide. It doubles as CreateChangeSet's ClientToken.
 */
export function changeSetName(prefix: string, now: number, nonce = randomBytes(4).toString('hex')): string {
  const stamp = new Date(now).toISOString().replace(/[-:T.Z]/g, '');
  return `${prefix}-${stamp}-${nonce}`;
}

/**
 * ExecuteChangeSet's ClientRequestToken, derived from the change set's unique name: a retry whose
 * first attempt CloudFormation accepted (its response lost) is then recognised as the same request
 * instead of failing with InvalidChangeSetStatus while the stack updates.
 */
export function executeToken(changeSetName: string): string {
  return `${changeSetName}-execute`;
}

export async function createChangeSet(
  cfn: CloudFormationApi,
  request: ChangeSetRequest,
  options: WaitOptions,
): Promise<ChangeSetOutcome> {
  const created = await submit(cfn, request);
  if (created === 'no-changes') return { kind: 'no-changes', stackId: request.stackName };
  const id = created.Id ?? request.changeSetName;
  const stackId = created.StackId ?? request.stackName;
  const deadline = options.clock.now() + (options.timeoutMs ?? 600_000);

  for (;;) {
    const described = await cfn.describeChangeSet({ ChangeSetName: id, StackName: stackId });
    const status = described.Status;
    if (status === 'CREATE_COMPLETE') {
      return {
        kind: 'ready',
        id,
        stackId,
        changes: await allChanges(cfn, id, stackId, described.Changes, described.NextToken),
      };
    }
    if (status === 'FAILED') {
      if (isNoChangesReason(described.StatusReason)) return { kind: 'no-changes', id, stackId };
      throw new SentinelError(
        ErrorCode.ChangeSetFailed,
        `CloudFormation rejected the change set: ${described.StatusReason ?? 'no reason given'}`,
        {
          hint: 'This is usually a template or parameter problem; run `sentinel plan --dry-run` to validate offline',
        },
      );
    }
    if (options.signal?.aborted) return { kind: 'interrupted', id, stackId };
    if (options.clock.now() >= deadline) {
      throw new SentinelError(
        ErrorCode.ChangeSetFailed,
        `The change set is still ${status} after ${Math.round((options.timeoutMs ?? 600_000) / 1000)} s`,
        {
          exitCode: 4,
        },
      );
    }
    await options.clock.sleep(options.intervals.changeSetMs, options.signal);
  }
}

/**
 * CreateChangeSet. CloudFormation reports "no changes" as a FAILED change set; some emulators throw
 * a ValidationError ("No updates are to be performed.") instead: both are the same expected outcome.
 */
async function submit(
  cfn: CloudFormationApi,
  request: ChangeSetRequest,
): Promise<CreateChangeSetCommandOutput | 'no-changes'> {
  try {
    return await cfn.createChangeSet({
      StackName: request.stackName,
      ChangeSetName: request.changeSetName,
      // A retry after a lost response gets the change set already made instead of AlreadyExists.
      ClientToken: request.changeSetName,
      ChangeSetType: request.type,
      TemplateBody: request.templateBody,
      TemplateURL: request.templateUrl,
      Parameters: request.parameters,
      Tags: request.tags,
      Capabilities: [...CAPABILITIES],
      Description: request.description,
    });
  } catch (error) {
    const e = error as { name?: string; message?: string };
    if (e?.name === 'ValidationError' && isNoChangesReason(e.message)) return 'no-changes';
    throw error;
  }
}

async function allChanges(
  cfn: CloudFormationApi,
  id: string,
  stackId: string,
  first: Change[] | undefined,
  token: string | undefined,
): Promise<Change[]> {
  const changes = [...(first ?? [])];
  while (token) {
    const page = await cfn.describeChangeSet({ ChangeSetName: id, StackName: stackId, NextToken: token });
    changes.push(...(page.Changes ?? []));
    token = page.NextToken;
  }
  return changes;
}

const COMPUTING = new Set(['CREATE_PENDING', 'CREATE_IN_PROGRESS']);

/**
 * Deletes a change set the user interrupted. CloudFormation refuses to delete one it is still
 * computing, so this first waits (usually seconds) for it to finish, polling on the clock; a second
 * Ctrl-C (`detachSignal`) or `timeoutMs` stops the wait and the change set is left. Returns whether it
 * was deleted.
 */
export async function discardPendingChangeSet(
  cfn: CloudFormationApi,
  id: string,
  stackId: string,
  options: {
    clock: Clock;
    intervals: PollIntervals;
    detachSignal?: AbortSignal;
    timeoutMs?: number;
    /** A CREATE change set: its empty stack goes too. */
    creating: boolean;
  },
): Promise<boolean> {
  const deadline = options.clock.now() + (options.timeoutMs ?? 120_000);
  for (;;) {
    let status: string | undefined;
    try {
      status = (await cfn.describeChangeSet({ ChangeSetName: id, StackName: stackId })).Status;
    } catch {
      return false;
    }
    if (!status || !COMPUTING.has(status)) break;
    if (options.detachSignal?.aborted || options.clock.now() >= deadline) return false;
    await options.clock.sleep(options.intervals.changeSetMs, options.detachSignal);
  }
  return discardChangeSet(cfn, id, stackId, options);
}

/**
 * Deletes a change set that will not be executed and, for a CREATE, the empty REVIEW_IN_PROGRESS
 * stack CloudFormation made for it (it is ours to remove). Best effort: a leftover is clutter, not a
 * failure. Returns whether the change set was deleted; `id` is unset when none was made.
 */
export async function discardChangeSet(
  cfn: CloudFormationApi,
  id: string | undefined,
  stackId: string,
  options: { creating: boolean },
): Promise<boolean> {
  let deleted = id !== undefined;
  if (id !== undefined) {
    try {
      await cfn.deleteChangeSet({ ChangeSetName: id, StackName: stackId });
    } catch {
      deleted = false;
    }
  }
  if (options.creating) await bestEffort(() => cfn.deleteStack({ StackName: stackId }));
  return deleted;
}
