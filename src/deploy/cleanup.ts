// What a stack deletion leaves behind and teardown removes: log groups the Lambda service re-creates
// while the stack is deleted (a later deploy would fail on "already exists"), the ECR repository a
// build created, and on request the shared artifacts bucket. Each step is idempotent.
import type { AwsClients, S3Api } from './aws-clients';
import { isNotFound } from './aws-clients';
import { CREATED_BY_TAG, ecrRepositoryName } from './image';

export async function listStackResources(clients: AwsClients, stackId: string) {
  const resources: Array<{
    logicalId: string;
    physicalId?: string;
    type: string;
    status: string;
    reason?: string;
    updated?: Date;
  }> = [];
  let token: string | undefined;
  do {
    const page = await clients.cloudFormation.listStackResources({ StackName: stackId, NextToken: token });
    for (const r of page.StackResourceSummaries ?? []) {
      resources.push({
        logicalId: r.LogicalResourceId ?? '',
        physicalId: r.PhysicalResourceId || undefined,
        type: r.ResourceType ?? '',
        status: r.ResourceStatus ?? '',
        reason: r.ResourceStatusReason || undefined,
        updated: r.LastUpdatedTimestamp,
      });
    }
    token = page.NextToken;
  } while (token);
  return resources;
}

export function lambdaLogGroups(resources: ReadonlyArray<{ type: string; physicalId?: string }>): string[] {
  return resources
    .filter((r) => r.type === 'AWS::Lambda::Function' && r.physicalId)
    .map((r) => `/aws/lambda/${r.physicalId}`);
}

export async function deleteLogGroups(clients: AwsClients, names: readonly string[]): Promise<string[]> {
  const deleted: string[] = [];
  for (const logGroupName of names) {
    try {
      await clients.logs.deleteLogGroup({ logGroupName });
      deleted.push(`log group ${logGroupName}`);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
  return deleted;
}

/** Removes `<stack>-gateway` only when deploy created it (tagged so); a user's own repository stays. */
export async function deleteCreatedRepository(clients: AwsClients, stackName: string): Promise<string[]> {
  const repositoryName = ecrRepositoryName(stackName);
  let arn: string | undefined;
  try {
    arn = (await clients.ecr.describeRepositories({ repositoryNames: [repositoryName] })).repositories?.[0]
      ?.repositoryArn;
  } catch (error) {
    if (isNotFound(error)) return [];
    throw error;
  }
  if (!arn) return [];
  const tags = (await clients.ecr.listTagsForResource({ resourceArn: arn })).tags ?? [];
  if (!tags.some((t) => t.Key === CREATED_BY_TAG.Key && t.Value === CREATED_BY_TAG.Value)) return [];
  await clients.ecr.deleteRepository({ repositoryName, force: true });
  return [`ECR repository ${repositoryName}`];
}

/** Deletes every object, then the bucket. */
export async function emptyBucket(s3: S3Api, bucket: string): Promise<number> {
  let removed = 0;
  for (;;) {
    const page = await s3.listObjectsV2({ Bucket: bucket, MaxKeys: 1000 });
    const keys = (page.Contents ?? []).map((o) => ({ Key: o.Key! }));
    if (keys.length === 0) return removed;
    await s3.deleteObjects({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } });
    removed += keys.length;
  }
}

export async function deleteBucket(s3: S3Api, bucket: string): Promise<string[]> {
  try {
    await emptyBucket(s3, bucket);
    await s3.deleteBucket({ Bucket: bucket });
    return [`artifacts bucket ${bucket}`];
  } catch (error) {
    if (isNotFound(error)) return [];
    throw error;
  }
}
