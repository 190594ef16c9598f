// A rough monthly cost of a stack for a config: fixed costs from the sizing knobs, usage costs for
// an assumed workload, each line with its arithmetic. Pure: the price table is data (prices.ts).
import type { Preset } from '../../core/config/knob';
import type { Config } from '../../core/config/schema';
import { HOURS_PER_MONTH as H, PRICE_DATE, PRICE_REGION, PRICES } from './prices';
import { buildTemplate } from './render';
import type { StackMode } from './types';

export interface CostOptions {
  /** Proxied requests per month. @default 1_000_000 */
  requestsPerMonth?: number;
  /** Average response size through the ALB, in KB. @default 10 */
  averageResponseKb?: number;
}

export interface CostLine {
  service: string;
  item: string;
  monthlyUsd: number;
  /** How the number was obtained. */
  basis: string;
}

export interface CostEstimate {
  mode: StackMode;
  preset: Preset;
  currency: 'USD';
  /** Region of the price table (prices elsewhere are typically 0-30% higher). */
  region: string;
  /** Region the config deploys to, when set and different from `region`. */
  deployRegion?: string;
  priceDate: string;
  lines: CostLine[];
  totalUsd: number;
  assumptions: string[];
  excluded: string[];
}

const SECONDS_PER_MONTH = H * 3600;
const DETECTOR_RUNS = (H * 60) / 15;
const DETECTOR_SECONDS_PER_RUN = 3;
const DETECTOR_READS_PER_RUN = 50;
const ERROR_SHARE = 0.02;
/** Operational log lines and metrics of one task in a month. */
const LOG_GB_PER_TASK = 0.25;
/** One access log line as CloudWatch Logs bills it (about 270 bytes of JSON, 26 bytes per event). */
const ACCESS_LOG_BYTES = 300;
const LOG_GB_DETECTOR = 0.01;

const usd = (n: number) => Math.round(n * 100) / 100;
const round3 = (n: number) => Math.round(n * 1000) / 1000;
/** A unit price as listed (no rounding: $0.00356 must not read $0.00). */
const money = (n: number) => `$${n}`;

function gatewayLines(config: Config, requests: number, responseKb: number): CostLine[] {
  const tasks = config.ecsDesiredCount;
  const vcpu = config.fargateCpu / 1024;
  const gb = config.fargateMemoryMib / 1024;
  const fargate = PRICES.fargate[config.taskArchitecture];
  const lcu = Math.max(requests / SECONDS_PER_MONTH / 25, (requests * responseKb) / 1e6 / H);
  const redisHour = PRICES.cacheNodeHour[config.redisNodeType];
  const addresses = 2 + tasks;
  const lines: CostLine[] = [
    {
      service: 'ECS Fargate',
      item: `${tasks} task(s), ${vcpu} vCPU / ${gb} GB, ${config.taskArchitecture}`,
      monthlyUsd: usd(tasks * H * (vcpu * fargate.vcpuHour + gb * fargate.gbHour)),
      basis: `${tasks} x ${H} h x (${vcpu} x ${money(fargate.vcpuHour)} + ${gb} x ${money(fargate.gbHour)})`,
    },
    {
      service: 'Application Load Balancer',
      item: `1 ALB, ${lcu.toFixed(3)} LCU average`,
      monthlyUsd: usd(H * (PRICES.alb.hour + lcu * PRICES.alb.lcuHour)),
      basis: `${H} h x (${money(PRICES.alb.hour)} + ${lcu.toFixed(3)} LCU x ${money(PRICES.alb.lcuHour)})`,
    },
    {
      service: 'Public IPv4',
      item: `${addresses} addresses (ALB in 2 zones, ${tasks} task(s))`,
      monthlyUsd: usd(addresses * H * PRICES.publicIpv4Hour),
      basis: `${addresses} x ${H} h x ${money(PRICES.publicIpv4Hour)}`,
    },
  ];
  if (redisHour !== undefined) {
    lines.push({
      service: 'ElastiCache Redis',
      item: `${config.redisNodeCount} x ${config.redisNodeType}`,
      monthlyUsd: usd(config.redisNodeCount * H * redisHour),
      basis: `${config.redisNodeCount} x ${H} h x ${money(redisHour)}`,
    });
  }
  const logWrites = requests * (config.requestLogSampleRate + ERROR_SHARE * (1 - config.requestLogSampleRate));
  const writes = requests + logWrites;
  lines.push({
    service: 'DynamoDB',
    item: `${Math.round(writes).toLocaleString('en-US')} writes (aggregates + sampled logs)`,
    monthlyUsd: usd((writes / 1e6) * PRICES.dynamodb.writeMillion),
    basis: `${(writes / 1e6).toFixed(3)} M x ${money(PRICES.dynamodb.writeMillion)}`,
  });
  // The Redis AUTH token always; the JWT key when a shared secret is configured.
  const secrets = config.jwtSecretKey !== undefined ? 2 : 1;
  lines.push({
    service: 'Secrets Manager',
    item: secrets === 2 ? '2 secrets (Redis AUTH token, JWT key)' : '1 secret (Redis AUTH token)',
    monthlyUsd: usd(secrets * PRICES.secretMonth),
    basis: `${secrets} x ${money(PRICES.secretMonth)}`,
  });
  const accessLines =
    config.accessLog === 'all' ? requests : config.accessLog === 'errors' ? requests * ERROR_SHARE : 0;
  const logGb = round3(tasks * LOG_GB_PER_TASK + (accessLines * ACCESS_LOG_BYTES) / 1e9);
  lines.push({
    service: 'CloudWatch Logs',
    item: `gateway, ${logGb} GB ingested (access log: ${config.accessLog}), ${config.logRetentionDays}-day retention`,
    monthlyUsd: usd(logGb * PRICES.logs.ingestGb + logGb * Math.min(1, config.logRetentionDays / 30) * PRICES.logs.storeGbMonth),
    basis: `${logGb} GB x ${money(PRICES.logs.ingestGb)} + storage`,
  });
  return lines;
}

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

/** What the foundation template itself says: the detector's memory and the alarms it creates. */
function foundationFacts() {
  const resources = buildTemplate('foundation').template.Resources as Resources;
  const memoryMb = Number(resources.AnomalyDetectorFunction?.Properties?.MemorySize);
  const count = (type: string) => Object.values(resources).filter((r) => r.Type === type).length;
  return { memoryMb, alarms: count('AWS::CloudWatch::Alarm'), keys: count('AWS::KMS::Key') };
}

function foundationLines(): CostLine[] {
  const facts = foundationFacts();
  const memoryGb = facts.memoryMb / 1024;
  const gbSeconds = DETECTOR_RUNS * DETECTOR_SECONDS_PER_RUN * memoryGb;
  const reads = DETECTOR_RUNS * DETECTOR_READS_PER_RUN;
  return [
    {
      service: 'Lambda',
      item: `detector, ${DETECTOR_RUNS} runs of ~${DETECTOR_SECONDS_PER_RUN} s at ${facts.memoryMb} MB, arm64`,
      monthlyUsd: usd(gbSeconds * PRICES.lambdaArm.gbSecond + (DETECTOR_RUNS / 1e6) * PRICES.lambdaArm.requestMillion),
      basis: `${gbSeconds} GB-s x ${PRICES.lambdaArm.gbSecond} + requests`,
    },
    {
      service: 'DynamoDB',
      item: `detector reads, ~${reads.toLocaleString('en-US')} read units`,
      monthlyUsd: usd((reads / 1e6) * PRICES.dynamodb.readMillion),
      basis: `${(reads / 1e6).toFixed(3)} M x ${money(PRICES.dynamodb.readMillion)}`,
    },
    {
      service: 'CloudWatch Logs',
      item: `detector, ${LOG_GB_DETECTOR} GB ingested`,
      monthlyUsd: usd(LOG_GB_DETECTOR * PRICES.logs.ingestGb),
      basis: `${LOG_GB_DETECTOR} GB x ${money(PRICES.logs.ingestGb)}`,
    },
    {
      service: 'CloudWatch alarms, KMS',
      item: `${facts.alarms} detector failure alarms, ${facts.keys} key for their topic`,
      monthlyUsd: usd(facts.alarms * PRICES.alarmMonth + facts.keys * PRICES.kmsKeyMonth),
      basis: `${facts.alarms} x ${money(PRICES.alarmMonth)} + ${facts.keys} x ${money(PRICES.kmsKeyMonth)}`,
    },
    {
      service: 'SNS, EventBridge, SQS',
      item: 'alerts, the schedule and its dead-letter queue',
      monthlyUsd: 0,
      basis: 'within free usage',
    },
  ];
}

export function estimateMonthlyCost(mode: StackMode, config: Config, options: CostOptions = {}): CostEstimate {
  const requests = options.requestsPerMonth ?? 1_000_000;
  const responseKb = options.averageResponseKb ?? 10;
  const lines = [...foundationLines(), ...(mode === 'full' ? gatewayLines(config, requests, responseKb) : [])];
  const excluded = [
    'data transfer out to the internet (first 100 GB/month free, then about $0.09/GB)',
    'the AWS free tier',
    'autoscaling above the desired count',
  ];
  if (mode === 'full' && PRICES.cacheNodeHour[config.redisNodeType] === undefined) {
    excluded.unshift(`Redis: no price for ${config.redisNodeType} in the table`);
  }
  if (mode === 'foundation') excluded.unshift('DynamoDB writes of a gateway run outside this stack');
  return {
    mode,
    preset: config.optimizeFor,
    currency: 'USD',
    region: PRICE_REGION,
    ...(config.awsRegion && config.awsRegion !== PRICE_REGION ? { deployRegion: config.awsRegion } : {}),
    priceDate: PRICE_DATE,
    lines,
    totalUsd: usd(lines.reduce((sum, line) => sum + line.monthlyUsd, 0)),
    assumptions: [
      `${requests.toLocaleString('en-US')} proxied requests/month, ${responseKb} KB average response`,
      `${ERROR_SHARE * 100}% non-2xx responses (always in the request log); one aggregate update per request at most`,
      `${ACCESS_LOG_BYTES} bytes of CloudWatch Logs per access log line`,
      `detector: ${DETECTOR_RUNS} runs/month of ~${DETECTOR_SECONDS_PER_RUN} s, ~${DETECTOR_READS_PER_RUN} read units each`,
      `desired task count running all month; ${H} hours/month`,
    ],
    excluded,
  };
}
