// The price table behind `estimateMonthlyCost`: on-demand list prices in one region, with the date
// they were taken. Update the numbers and PRICE_DATE together.

export const PRICE_REGION = 'us-east-1';
/** When these prices were checked against the public AWS price pages. */
export const PRICE_DATE = '2026-03-01';
export const HOURS_PER_MONTH = 730;

export const PRICES = {
  fargate: {
    arm64: { vcpuHour: 0.03238, gbHour: 0.00356 },
    x86_64: { vcpuHour: 0.04048, gbHour: 0.004445 },
  },
  alb: { hour: 0.0225, lcuHour: 0.008 },
  /** Every public IPv4 address, in use or not (since February 2024). */
  publicIpv4Hour: 0.005,
  /** ElastiCache for Redis OSS, on-demand, per node-hour. */
  cacheNodeHour: {
    'cache.t4g.micro': 0.016,
    'cache.t4g.small': 0.032,
    'cache.t4g.medium': 0.065,
    'cache.t3.micro': 0.017,
    'cache.t3.small': 0.034,
    'cache.t3.medium': 0.068,
    'cache.m7g.large': 0.158,
    'cache.r7g.large': 0.219,
  } as Record<string, number>,
  dynamodb: { writeMillion: 0.625, readMillion: 0.125, gbMonth: 0.25 },
  lambdaArm: { gbSecond: 0.0000133334, requestMillion: 0.2 },
  logs: { ingestGb: 0.5, storeGbMonth: 0.03 },
  secretMonth: 0.4,
  /** A standard-resolution CloudWatch metric alarm. */
  alarmMonth: 0.1,
  /** A customer-managed KMS key (requests by AWS services on its behalf are within free usage). */
  kmsKeyMonth: 1,
} as const;
