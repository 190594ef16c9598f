// `plan`: what a deploy would do. Offline (`--dry-run`, no AWS call, no credentials): the resolved
// config with sources, the stack parameters (secrets redacted), offline validation, the resources
// each mode creates and the cost estimate. Online, also the difference against the deployed stack
// through a change set that is deleted afterwards, and a template diff.
import { existsSync, readFileSync } from 'node:fs';
import type { ConfigIssue } from '../../core/config/issues';
import { type ConfigRow, configRows, redactIssue } from '../../core/config/redact';
import type { ResolvedConfig } from '../../core/config/resolve';
import {
  estimateMonthlyCost,
  renderStack,
  stackResources,
  stackWarnings,
  validateStack,
  type CostEstimate,
  type RenderedStack,
  type StackMode,
  type StackResource,
  type StackWarning,
  type TemplateIssue,
} from '../templates';
import {
  artifactsBucketName,
  detectorAsset,
  ensureArtifactsBucket,
  MAX_INLINE_TEMPLATE_BYTES,
  s3ObjectUrl,
  templateKey,
  uploadIfMissing,
} from './assets';
import { ErrorCode, SentinelError } from '../../core/shared/errors';
import { changeRows, destructiveChanges, type ChangeRow, type DestructiveChange } from './change-table';
import { changeSetName, createChangeSet, discardChangeSet, discardPendingChangeSet } from './change-set';
import type { EngineContext } from './engine';
import { parseReference } from '../image';
import { formatPlatform, platformOf } from '../image/platform';
import { ecrRepositoryName, planImage, registryHost } from './image';
import { registryImages } from './images';
import type { BundlePaths } from './package-root';
import { callerIdentity, describeStack } from './preflight';
import { isNotFound } from './aws-clients';
import { redactParameters, type RedactedParameter } from './results';
import { stackPhase } from './stack-status';
import { deployedTemplate, diffTemplates, parameterChanges, type ParameterChange } from './template-diff';

export interface PlanRequest {
  mode: StackMode;
  stackName: string;
  config: ResolvedConfig;
}

export interface StackDiff {
  exists: boolean;
  stackStatus?: string;
  /** Why no change set could be made (the stack is busy or must be recreated), when so. */
  note?: string;
  noChanges: boolean;
  changes: ChangeRow[];
  destructive: DestructiveChange[];
  templateDiff: string;
  /** Non-secret parameter values that change (asset keys, image, sizing). */
  parameterChanges: ParameterChange[];
  securityChanges: boolean;
}

export interface PlanResult {
  mode: StackMode;
  stackName: string;
  region?: string;
  account?: string;
  dryRun: boolean;
  preset: string;
  settings: ConfigRow[];
  /** Config problems that fell back to defaults, then what the stack itself warns about (coded). */
  warnings: Array<ConfigIssue | StackWarning>;
  parameters: RedactedParameter[];
  validation: { ok: boolean; issues: TemplateIssue[] };
  resources: StackResource[];
  cost: CostEstimate;
  image: PlannedImage;
  diff?: StackDiff;
}

/** The gateway image a deploy would run, and for a build what it starts from. */
export interface PlannedImage {
  source: 'explicit' | 'build';
  uri: string;
  /** e.g. linux/arm64 */
  platform: string;
  /** The base as configured, and its digest (the pinned one offline; the resolved one online). */
  base?: { reference: string; digest?: string };
  /** The content tag, when the base was resolved (online plans). */
  tag?: string;
  /** Whether deploy would push: known online (the repository has the tag or not), undefined offline. */
  pushNeeded?: boolean;
}

/** What an online plan learned about the image it would build. */
interface ResolvedImage {
  tag: string;
  baseDigest: string;
  pushNeeded: boolean;
}

/** Values that only an AWS call can tell, shown as placeholders offline. */
export const UNKNOWN_ACCOUNT = '<account>';

/**
 * The stack deploy would submit, rendered without AWS: the detector key from the built bundle, the
 * image deploy would pick, and the artifacts bucket of the account and region given. `sentinel synth`
 * writes exactly this.
 */
export function renderFor(
  request: PlanRequest,
  paths: BundlePaths,
  account: string,
  region: string,
  resolved?: ResolvedImage,
) {
  const values = request.config.values;
  const bundle = existsSync(paths.detector) ? readFileSync(paths.detector) : undefined;
  const key = bundle ? detectorAsset(bundle).key : 'anomaly-detector/<sha256 of the built bundle>.zip';
  const planned = planImage(values, request.stackName);
  let image: PlannedImage;
  if (planned.source === 'build') {
    const tag = resolved?.tag ?? '<content hash>';
    image = {
      source: 'build',
      uri: `${registryHost(account, region)}/${planned.repositoryName}:${tag}`,
      platform: formatPlatform(planned.platform),
      base: {
        reference: planned.baseImage,
        digest: resolved?.baseDigest ?? parseReference(planned.baseImage).digest,
      },
      ...(resolved ? { tag, pushNeeded: resolved.pushNeeded } : {}),
    };
  } else {
    image = {
      source: 'explicit',
      uri: planned.uri,
      platform: formatPlatform(platformOf(values.taskArchitecture)),
    };
  }
  const uri = image.uri;
  const rendered = renderStack(request.mode, values, {
    detectorCodeBucket: artifactsBucketName(account, region),
    detectorCodeKey: key,
    ...(request.mode === 'full' ? { gatewayImageUri: uri } : {}),
  });
  return { rendered, image, zip: bundle ? detectorAsset(bundle) : undefined };
}

function offline(request: PlanRequest, rendered: RenderedStack, image: PlanResult['image']): PlanResult {
  const { config } = request;
  const issues = validateStack(rendered);
  return {
    mode: request.mode,
    stackName: request.stackName,
    region: config.values.awsRegion,
    dryRun: true,
    preset: config.preset,
    settings: configRows(config),
    warnings: [...config.warnings.map(redactIssue), ...stackWarnings(request.mode, config.values)],
    parameters: redactParameters(rendered.parameters),
    validation: { ok: issues.length === 0, issues },
    resources: stackResources(request.mode, config.values),
    cost: estimateMonthlyCost(request.mode, config.values),
    image,
  };
}

/** No AWS client is needed or made: this is what CI runs on pull requests. */
export function planOffline(request: PlanRequest, paths: BundlePaths): PlanResult {
  const region = request.config.values.awsRegion ?? '<region>';
  const { rendered, image } = renderFor(request, paths, UNKNOWN_ACCOUNT, region);
  return offline(request, rendered, image);
}

export async function planAgainstStack(request: PlanRequest, ctx: EngineContext): Promise<PlanResult> {
  const { clients, clock } = ctx;
  const cfn = clients.cloudFormation;
  const region = await clients.region();
  const identity = await callerIdentity(clients.sts, clock);
  ctx.onProgress({ type: 'identity', account: identity.account, arn: identity.arn, region });
  const resolved = await resolvePlannedImage(request, ctx);
  const { rendered, image } = renderFor(request, ctx.paths, identity.account, region, resolved);
  const result: PlanResult = {
    ...offline(request, rendered, image),
    dryRun: false,
    region,
    account: identity.account,
  };
  if (!result.validation.ok) return result;

  const stack = await describeStack(cfn, request.stackName, clock);
  const phase = stackPhase(stack?.StackStatus);
  const empty = {
    changes: [],
    destructive: [],
    templateDiff: '',
    parameterChanges: [],
    securityChanges: false,
    noChanges: false,
  };
  if (phase !== 'stable' && phase !== 'absent') {
    const note =
      phase === 'busy'
        ? 'an operation is in progress; plan again when it ends'
        : phase === 'failed-create'
          ? 'the stack failed to create; deploy deletes it and creates it anew'
          : `the stack is ${stack!.StackStatus}; see \`sentinel status\``;
    return { ...result, diff: { ...empty, exists: true, stackStatus: stack?.StackStatus, note } };
  }

  let templateUrl: string | undefined;
  if (Buffer.byteLength(rendered.body) > MAX_INLINE_TEMPLATE_BYTES) {
    const bucket = artifactsBucketName(identity.account, region);
    await ensureArtifactsBucket(clients.s3, bucket, identity.account, region);
    const key = templateKey(rendered.body);
    await uploadIfMissing(
      clients.s3,
      { bucket, key, account: identity.account },
      rendered.body,
      'application/json',
    );
    templateUrl = s3ObjectUrl(bucket, region, key);
  }
  const creating = phase === 'absent';
  const changeSet = await createChangeSet(
    cfn,
    {
      stackName: request.stackName,
      changeSetName: changeSetName('sentinel-plan', clock.now()),
      type: creating ? 'CREATE' : 'UPDATE',
      templateBody: templateUrl ? undefined : rendered.body,
      templateUrl,
      parameters: rendered.parameters.map((p) => ({ ParameterKey: p.key, ParameterValue: p.value })),
      tags: [],
      description: 'sentinel plan (deleted after reading)',
    },
    { clock, intervals: ctx.intervals, signal: ctx.signal },
  );
  if (changeSet.kind === 'interrupted') {
    // Nothing to show; the change set is discarded as soon as CloudFormation lets go of it.
    const discarded = await discardPendingChangeSet(cfn, changeSet.id, changeSet.stackId, {
      clock,
      intervals: ctx.intervals,
      detachSignal: ctx.detachSignal,
      creating,
    });
    throw new SentinelError(
      ErrorCode.ChangeSetFailed,
      'Interrupted while CloudFormation computed the changes',
      {
        hint: discarded
          ? 'Nothing was changed; the change set was deleted.'
          : `Nothing was changed; delete the change set left behind: aws cloudformation delete-change-set --change-set-name ${changeSet.id} --region ${region}`,
        exitCode: 130,
      },
    );
  }
  try {
    const current = creating ? {} : await deployedTemplate(cfn, stack!.StackId!);
    const changes = changeSet.kind === 'ready' ? changeSet.changes : [];
    const rows = changeRows(changes);
    const diff = diffTemplates(current, rendered.template, changes);
    return {
      ...result,
      diff: {
        exists: !creating,
        stackStatus: stack?.StackStatus,
        noChanges: changeSet.kind === 'no-changes',
        changes: rows,
        destructive: destructiveChanges(rows),
        templateDiff: diff.text,
        parameterChanges: parameterChanges(stack?.Parameters, rendered.parameters),
        securityChanges: diff.securityChanges || rows.some((r) => r.security),
      },
    };
  } finally {
    // A CREATE change set made an empty REVIEW_IN_PROGRESS stack just for this plan: it goes too.
    await discardChangeSet(cfn, changeSet.id, changeSet.stackId, { creating });
  }
}

/** Online and in full mode: resolves the base and builds the image in memory, then asks ECR for its tag. */
async function resolvePlannedImage(
  request: PlanRequest,
  ctx: EngineContext,
): Promise<ResolvedImage | undefined> {
  const values = request.config.values;
  if (request.mode !== 'full' || values.gatewayImageUri) return undefined;
  const built = await (ctx.images ?? registryImages).build(values, ctx.paths);
  let pushNeeded = true;
  try {
    const found = await ctx.clients.ecr.describeImages({
      repositoryName: ecrRepositoryName(request.stackName),
      imageIds: [{ imageTag: built.tag }],
    });
    pushNeeded = !found.imageDetails?.length;
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  return { tag: built.tag, baseDigest: built.base.digest, pushNeeded };
}
