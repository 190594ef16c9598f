// `deploy`, phase by phase: preflight (nothing created yet), stack-state recovery, assets and image,
// then the change set, its review, execution and the result (execute.ts). Every expected ending is a
// DeployResult value; only misconfiguration and unexpected AWS errors throw.
import { readFileSync } from 'node:fs';
import type { RenderedStack } from '../templates';
import {
  artifactsBucketName,
  detectorAsset,
  ensureArtifactsBucket,
  uploadIfMissing,
  type DetectorAsset,
} from './assets';
import { type DeployRequest, type DeploySession, openSession, stoppedResult } from './deploy-session';
import type { EngineContext } from './engine';
import { executeAndFollow } from './execute';
import type { ImageBuild } from '../image';
import { planImage, registryHost, type ImagePlan } from './image';
import { type GatewayImages, registryImages } from './images';
import { requireFile } from './package-root';
import { callerIdentity, renderValidated } from './preflight';
import type { DeployResult } from './results';
import { readyStack } from './stack-readiness';

export type { DeployRequest } from './deploy-session';

/** What preflight settles: the session, the detector asset, the image plan and where assets go. */
interface Prepared {
  session: DeploySession;
  bucket: string;
  asset: DetectorAsset;
  image: ImagePlan;
  images: GatewayImages;
  /** The gateway image assembled in preflight, pushed with the assets (`image.source === 'build'`). */
  built?: ImageBuild;
  /** The template as it will be submitted (the gateway image may still be rebuilt). */
  rendered: RenderedStack;
}

export async function deployStack(request: DeployRequest, ctx: EngineContext): Promise<DeployResult> {
  const prepared = await preflight(request, ctx);
  const { session } = prepared;
  const readiness = await readyStack(session, prepared.rendered);
  if (readiness.kind === 'result') return readiness.result;
  if (ctx.signal?.aborted) return stoppedResult(session, prepared.rendered);
  const rendered = await publishAssets(prepared);
  if (ctx.signal?.aborted) return stoppedResult(session, rendered);
  return executeAndFollow(session, { rendered, bucket: prepared.bucket }, readiness.stack);
}

/** Everything that can fail without creating anything: bundles, Docker, credentials, the template. */
async function preflight(request: DeployRequest, ctx: EngineContext): Promise<Prepared> {
  const { clients, clock, onProgress: emit } = ctx;
  const startedAt = clock.now();
  const region = await clients.region();
  emit({
    type: 'step',
    step: 'preflight',
    message: `checking ${request.mode} stack ${request.stackName} in ${region}`,
  });
  const bundle = readFileSync(requireFile(ctx.paths.detector, 'detector bundle'));
  const { values } = request.config;
  const image = planImage(values, request.stackName);
  // Credentials first: without them nothing below can succeed, and the answer is local and quick.
  const identity = await callerIdentity(clients.sts, clock);
  emit({ type: 'identity', account: identity.account, arn: identity.arn, region });
  // The image is checked (or assembled from its base) before any CloudFormation call.
  const images = ctx.images ?? registryImages;
  const full = request.mode === 'full';
  const built = full && image.source === 'build' ? await images.build(values, ctx.paths) : undefined;
  if (full && image.source === 'explicit')
    await images.check(image.uri, values.taskArchitecture, { ecr: clients.ecr, region });
  const session = openSession(request, ctx, { region, account: identity.account, startedAt });
  const bucket = artifactsBucketName(identity.account, region);
  const asset = detectorAsset(bundle);
  const provisionalImage =
    image.source === 'build'
      ? `${registryHost(identity.account, region)}/${image.repositoryName}:latest`
      : image.uri;
  const rendered = render(session, bucket, asset, provisionalImage);
  return { session, bucket, asset, image, images, built, rendered };
}

function render(
  session: DeploySession,
  bucket: string,
  asset: DetectorAsset,
  gatewayImageUri: string,
): RenderedStack {
  const { mode, config } = session.request;
  return renderValidated(mode, config.values, {
    detectorCodeBucket: bucket,
    detectorCodeKey: asset.key,
    ...(mode === 'full' ? { gatewayImageUri } : {}),
  });
}

/** Uploads the detector bundle and, in full mode, pushes the gateway image; returns the final template. */
async function publishAssets(prepared: Prepared): Promise<RenderedStack> {
  const { session, bucket, asset, image, images, built } = prepared;
  const { ctx, account, target } = session;
  const { clients, onProgress: emit } = ctx;
  emit({ type: 'step', step: 'assets', message: `uploading the detector bundle to s3://${bucket}` });
  const bucketCreated =
    (await ensureArtifactsBucket(clients.s3, bucket, account, target.region)) === 'created';
  const uploaded = await uploadIfMissing(
    clients.s3,
    { bucket, key: asset.key, account },
    asset.zip,
    'application/zip',
  );
  emit({ type: 'asset', bucket, key: asset.key, uploaded, bucketCreated });
  if (target.mode !== 'full') return prepared.rendered;
  if (image.source === 'explicit') emit({ type: 'image', source: image.source, uri: image.uri });
  if (image.source !== 'build' || !built) return prepared.rendered;
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
  return render(session, bucket, asset, pushed.uri);
}
