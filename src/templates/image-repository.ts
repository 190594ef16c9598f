// Where the gateway image comes from, as IAM sees it: the ARN of its private ECR repository, so the
// task execution role may pull from that repository and no other.

/** `<account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]/<repository>[:tag|@digest]` */
const PRIVATE_ECR = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?\/([a-z0-9._/-]+?)(?::[\w][\w.-]*)?(?:@sha256:[0-9a-f]{64})?$/;

/** The repository ARN of a private ECR image, or undefined for any other registry (public ECR too). */
export function ecrRepositoryArn(imageUri: string): string | undefined {
  const match = PRIVATE_ECR.exec(imageUri);
  if (!match) return undefined;
  const [, account, region, china, repository] = match;
  const partition = china ? 'aws-cn' : region!.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
  return `arn:${partition}:ecr:${region}:${account}:repository/${repository}`;
}
