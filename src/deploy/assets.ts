// The detector's code asset: zipped deterministically (same bundle, same bytes, same SHA-256, so an
// unchanged detector never triggers a Lambda update) and uploaded once to the account's artifacts
// bucket, which is created on first use encrypted, private, TLS-only and with old artifacts expiring.
import { createHash } from 'node:crypto';
import { zipSync } from 'fflate';
import { ErrorCode, SentinelError } from '../../core/shared/errors';
import type { S3Api } from './aws-clients';
import { isNotFound } from './aws-clients';

export const DETECTOR_ENTRY = 'index.mjs';

/**
 * fflate writes the DOS timestamp from local-time getters, so a date built from local fields (at call
 * time, in the zone then in force) gives the same bytes in every time zone. Noon avoids DST gaps.
 */
const fixedMtime = () => new Date(1980, 0, 1, 12, 0, 0);
/** Unix regular file, rw-r--r--, in the high 16 bits of the external attributes. */
const FILE_ATTRS = (0o100644 << 16) >>> 0;

/** A zip whose bytes depend only on the files' names and contents. */
export function deterministicZip(files: Record<string, Uint8Array>): Uint8Array {
  const entries: Record<string, [Uint8Array, { mtime: Date; level: 9; os: number; attrs: number }]> = {};
  const mtime = fixedMtime();
  for (const name of Object.keys(files).sort()) {
    entries[name] = [files[name]!, { mtime, level: 9, os: 3, attrs: FILE_ATTRS }];
  }
  return zipSync(entries);
}

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function artifactsBucketName(account: string, region: string): string {
  return `sentinelapi-artifacts-${account}-${region}`;
}

export interface DetectorAsset {
  key: string;
  sha256: string;
  zip: Uint8Array;
}

export function detectorAsset(bundle: Uint8Array): DetectorAsset {
  const zip = deterministicZip({ [DETECTOR_ENTRY]: bundle });
  const sha256 = sha256Hex(zip);
  return { key: `anomaly-detector/${sha256}.zip`, sha256, zip };
}

/** Artifacts are needed only while a stack may roll back to them; a year is far beyond that. */
const LIFECYCLE = {
  Rules: [
    {
      ID: 'expire-old-artifacts',
      Status: 'Enabled' as const,
      Filter: { Prefix: '' },
      Expiration: { Days: 365 },
    },
    {
      ID: 'expire-templates',
      Status: 'Enabled' as const,
      Filter: { Prefix: 'templates/' },
      Expiration: { Days: 30 },
    },
    {
      ID: 'abort-incomplete-uploads',
      Status: 'Enabled' as const,
      Filter: { Prefix: '' },
      AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
    },
  ],
};

function tlsOnlyPolicy(bucket: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ],
  });
}

/**
 * Makes sure the bucket exists and is ours. `ExpectedBucketOwner` matters: the name is predictable,
 * so a bucket of that name in another account must be refused rather than written to.
 */
export async function ensureArtifactsBucket(
  s3: S3Api,
  bucket: string,
  account: string,
  region: string,
): Promise<'created' | 'exists'> {
  try {
    await s3.headBucket({ Bucket: bucket, ExpectedBucketOwner: account });
    return 'exists';
  } catch (error) {
    if (!isNotFound(error)) {
      throw new SentinelError(
        ErrorCode.DeployArtifactsBucket,
        `Cannot use the artifacts bucket ${bucket}: ${(error as Error).name}`,
        {
          hint: 'The bucket may belong to another account, or your credentials lack s3:ListBucket on it',
          cause: error,
        },
      );
    }
  }
  await s3.createBucket({
    Bucket: bucket,
    CreateBucketConfiguration: region === 'us-east-1' ? undefined : { LocationConstraint: region as never },
    ObjectOwnership: 'BucketOwnerEnforced',
  });
  await s3.putPublicAccessBlock({
    Bucket: bucket,
    PublicAccessBlockConfiguration: {
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    },
  });
  await s3.putBucketEncryption({
    Bucket: bucket,
    ServerSideEncryptionConfiguration: {
      Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    },
  });
  await s3.putBucketPolicy({ Bucket: bucket, Policy: tlsOnlyPolicy(bucket) });
  await s3.putBucketLifecycleConfiguration({ Bucket: bucket, LifecycleConfiguration: LIFECYCLE });
  return 'created';
}

/** Uploads unless the key exists: keys are content hashes, so an existing key has the same bytes. */
export async function uploadIfMissing(
  s3: S3Api,
  target: { bucket: string; key: string; account: string },
  body: Uint8Array | string,
  contentType: string,
): Promise<boolean> {
  try {
    await s3.headObject({ Bucket: target.bucket, Key: target.key, ExpectedBucketOwner: target.account });
    return false;
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  await s3.putObject({
    Bucket: target.bucket,
    Key: target.key,
    Body: body,
    ContentType: contentType,
    ExpectedBucketOwner: target.account,
  });
  return true;
}

/** CloudFormation takes template bodies up to 51,200 bytes inline; larger ones must come from S3. */
export const MAX_INLINE_TEMPLATE_BYTES = 51_200;

export function templateKey(body: string): string {
  return `templates/${sha256Hex(body)}.json`;
}

export function s3ObjectUrl(bucket: string, region: string, key: string): string {
  return `https://${bucket}.s3.${region}.amazonaws.com/${key}`;
}
