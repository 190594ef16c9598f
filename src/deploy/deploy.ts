// `deploy`: preflight, stack-state recovery, assets, image, change set, then execute and follow.
// Every expected ending is a DeployResult value; only misconfiguration and unexpected AWS errors throw.
import { readFileSync } from 'node:fs';
import type { Stack } from '@aws-sdk/client-cloudformation';
import type { ResolvedConfig } from '../../core/config/resolve';
import type { RenderedStack, StackMode } from '../templates';
import { followStack } from './activity-monitor';
import { artifactsBucketName, detectorAsset, ensureArtifactsBucket, uploadIfMissing } from './assets';
import { type EngineContext, commandFor } from './engine';
import { fromMonitor } from './events';
import { lastOperationEvents } from './event-poller';
import { executeAndFollow } from './execute';
import { planImage, registryHost } from './image';
import { registryImages } from './images';
import { requireFile } from './package-root';
import { callerIdentity, describeStack, renderValidated } from './preflight';
import { continueRollback, deleteAndFollow } from './recovery';
import { redactParameters, type DeployResult } from './results';
import { rootCause } from './root-cause';
import { stackPhase } from './stack-status';

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

export async function deployStack(request: DeployRequest, ctx: EngineContext): Promise<DeployResult> {
  const { clients, clock, onProgress: emit } = ctx;
  const { mode, stackName } = request;
  const values = request.config.values;
  const cfn = clients.cloudFormation;
  const started = clock.now();
  const deadline = started + (request.timeoutMs ?? 3_600_000);
  const region = await clients.region();
  const target = { stackName, region, mode };
  const deps = {
    cfn,
    clock,
    intervals: ctx.intervals,
    deadline,
    onEvent: (e: Parameters<typeof fromMonitor>[0]) => emit(fromMonitor(e)),
  };

  // Preflight: everything that can fail without creating anything.
  emit({ type: 'step', step: 'preflight', message: `checking ${mode} stack ${stackName} in ${region}` });
  const bundle = readFileSync(requireFile(ctx.paths.detector, 'detector bundle'));
  const image = planImage(values, stackName);
  // The image is checked (or assembled from its base) before any CloudFormation call.
  const images = ctx.images ?? registryImages;
  const built =
    mode === 'full' && image.source === 'build' ? await images.build(values, ctx.paths) : undefined;
  if (mode === 'full' && image.source === 'explicit')
    await images.check(image.uri, values.taskArchitecture, { ecr: clients.ecr, region });
  const identity = await callerIdentity(clients.sts, clock);
  emit({ type: 'identity', account: identity.account, arn: identity.arn, region });
  const bucket = artifactsBucketName(identity.account, region);
  const asset = detectorAsset(bundle);
  const provisionalImage =
    image.source === 'build'
      ? `${registryHost(identity.account, region)}/${image.repositoryName}:latest`
      : image.uri;
  const render = (gatewayImageUri: string): RenderedStack =>
    renderValidated(mode, values, {
      detectorCodeBucket: bucket,
      detectorCodeKey: asset.key,
      ...(mode === 'full' ? { gatewayImageUri } : {}),
    });
  let rendered = render(provisionalImage);
  const base = () => ({
    mode,
    stackName,
    region,
    account: identity.account,
    parameters: redactParameters(rendered.parameters),
    elapsedMs: clock.now() - started,
  });

  // The stack's current state decides what has to happen before a change set can be made.
  let stack = await describeStack(cfn, stackName, clock);
  if (stackPhase(stack?.StackStatus) === 'busy') {
    emit({
      type: 'step',
      step: 'recovery',
      message: `${stackName} is ${stack!.StackStatus}: following that operation to its end first`,
    });
    const since = stack!.LastUpdatedTime ?? stack!.CreationTime;
    const outcome = await followStack({
      ...deps,
      stack: stack!.StackId!,
      start: { since },
      total: 0,
      signal: ctx.signal,
    });
    if (outcome.kind === 'timed-out')
      return {
        ...base(),
        status: 'timed-out',
        stackStatus: outcome.status,
        nextSteps: [commandFor('status', target, '--follow')],
      };
    if (outcome.kind === 'aborted') {
      return {
        ...base(),
        status: 'interrupted',
        action: 'detached',
        stackStatus: outcome.status,
        nextSteps: [commandFor('status', target, '--follow'), commandFor('deploy', target)],
      };
    }
    stack = await describeStack(cfn, stackName, clock);
  }
  const phase = stackPhase(stack?.StackStatus);
  if (phase === 'needs-teardown') {
    return {
      ...base(),
      status: 'needs-decision',
      stackStatus: stack!.StackStatus!,
      reason: `${stackName} is ${stack!.StackStatus}; CloudFormation accepts no update in that state`,
      rootCause: rootCause(await lastOperationEvents(cfn, stack!.StackId!)),
      nextSteps: [commandFor('teardown', target), commandFor('deploy', target)],
    };
  }
  if (phase === 'rollback-failed') {
    const failures = rootCause(await lastOperationEvents(cfn, stack!.StackId!));
    if (!request.recover) {
      return {
        ...base(),
        status: 'needs-decision',
        stackStatus: stack!.StackStatus!,
        reason: `${stackName} is UPDATE_ROLLBACK_FAILED: its rollback could not finish`,
        rootCause: failures,
        nextSteps: [commandFor('deploy', target, '--recover')],
      };
    }
    stack = await recoverRollback(stack!, ctx, deps);
    if (stack.StackStatus !== 'UPDATE_ROLLBACK_COMPLETE') {
      return {
        ...base(),
        status: 'failed',
        stackStatus: stack.StackStatus,
        rolledBack: false,
        rootCause: failures,
        nextSteps: [commandFor('status', target)],
      };
    }
  }
  if (phase === 'failed-create') {
    const failures = rootCause(await lastOperationEvents(cfn, stack!.StackId!));
    emit({ type: 'root-cause', failures });
    if (!(await ctx.confirm({ kind: 'recreate', stackName, rootCause: failures }))) {
      return {
        ...base(),
        status: 'declined',
        reason: `${stackName} is ROLLBACK_COMPLETE and must be deleted before it can be created again`,
        nextSteps: [commandFor('deploy', target, '--yes')],
      };
    }
    emit({
      type: 'step',
      step: 'recovery',
      message: `deleting ${stackName} (ROLLBACK_COMPLETE) to create it again`,
    });
    const outcome = await deleteAndFollow(deps, stack!.StackId!, 0, ctx.signal);
    if (outcome.kind !== 'ended' || outcome.status !== 'DELETE_COMPLETE') {
      return {
        ...base(),
        status: 'failed',
        stackStatus: outcome.status,
        rolledBack: false,
        rootCause: rootCause(outcome.events),
        nextSteps: [commandFor('teardown', target)],
      };
    }
    stack = undefined;
  }
  if (ctx.signal?.aborted)
    return { ...base(), status: 'interrupted', action: 'stopped', nextSteps: [commandFor('deploy', target)] };

  // Assets and image.
  emit({ type: 'step', step: 'assets', message: `uploading the detector bundle to s3://${bucket}` });
  const bucketCreated =
    (await ensureArtifactsBucket(clients.s3, bucket, identity.account, region)) === 'created';
  const uploaded = await uploadIfMissing(
    clients.s3,
    { bucket, key: asset.key, account: identity.account },
    asset.zip,
    'application/zip',
  );
  emit({ type: 'asset', bucket, key: asset.key, uploaded, bucketCreated });
  if (mode === 'full') {
    if (image.source === 'build' && built) {
      emit({ type: 'step', step: 'image', message: `pushing the gateway image (${built.tag}) to ECR` });
      const pushed = await images.push({
        ecr: clients.ecr,
        repositoryName: image.repositoryName,
        image: built,
        onProgress: (p) => emit({ type: 'image-upload', ...p }),
      });
      emit({
        type: 'image',
        source: 'build',
        uri: pushed.uri,
        built: !pushed.push.unchanged,
        uploadedBytes: pushed.push.uploadedBytes,
        base: pushed.base.reference,
        platform: pushed.platform,
      });
      rendered = render(pushed.uri);
    } else if (image.source === 'explicit') {
      emit({ type: 'image', source: image.source, uri: image.uri });
    }
  }
  if (ctx.signal?.aborted)
    return { ...base(), status: 'interrupted', action: 'stopped', nextSteps: [commandFor('deploy', target)] };

  return executeAndFollow({
    request,
    ctx,
    rendered,
    stack,
    bucket,
    account: identity.account,
    region,
    deps,
    base,
  });
}

async function recoverRollback(
  stack: Stack,
  ctx: EngineContext,
  deps: Parameters<typeof continueRollback>[0],
): Promise<Stack> {
  ctx.onProgress({
    type: 'step',
    step: 'recovery',
    message: `continuing the failed rollback of ${stack.StackName}`,
  });
  const { skipped } = await continueRollback(deps, stack.StackId!, ctx.signal);
  if (skipped.length > 0) {
    ctx.onProgress({
      type: 'warning',
      message: `skipped resources that cannot roll back (check them by hand): ${skipped.join(', ')}`,
    });
  }
  return (await describeStack(deps.cfn, stack.StackId!, ctx.clock)) ?? stack;
}
