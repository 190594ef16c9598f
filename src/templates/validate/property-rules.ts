// Value limits of the properties our templates use that the AWS resource specification does not
// carry (it knows types and a few enums, not ranges or formats; where it has an enum, such as log
// retention days, spec-check.ts uses it and this table does not repeat it): one table, keyed by
// resource type and property path (`[]` for any list item), with the limits from each service's
// API reference.

export type PropertyRule =
  | { kind: 'range'; min: number; max: number; integer?: boolean }
  | { kind: 'one-of'; values: readonly string[] }
  | { kind: 'pattern'; pattern: RegExp; hint: string }
  | { kind: 'cidr'; family: 4 | 6 };

const range = (min: number, max: number): PropertyRule => ({ kind: 'range', min, max, integer: true });
const oneOf = (...values: Array<string | number>): PropertyRule => ({ kind: 'one-of', values: values.map(String) });
const PORT = range(1, 65535);
const PORT_OR_ALL = range(-1, 65535);
const CIDR4: PropertyRule = { kind: 'cidr', family: 4 };
const CIDR6: PropertyRule = { kind: 'cidr', family: 6 };
const ALARM_COMPARISON = oneOf(
  'GreaterThanOrEqualToThreshold',
  'GreaterThanThreshold',
  'LessThanThreshold',
  'LessThanOrEqualToThreshold',
  'LessThanLowerOrGreaterThanUpperThreshold',
  'LessThanLowerThreshold',
  'GreaterThanUpperThreshold',
);

export const PROPERTY_RULES: Readonly<Record<string, Readonly<Record<string, PropertyRule>>>> = {
  'AWS::Lambda::Function': {
    MemorySize: range(128, 10240),
    Timeout: range(1, 900),
    ReservedConcurrentExecutions: range(0, 1_000_000),
    'Architectures[]': oneOf('x86_64', 'arm64'),
    'EphemeralStorage.Size': range(512, 10240),
  },
  'AWS::Lambda::EventInvokeConfig': {
    MaximumRetryAttempts: range(0, 2),
    MaximumEventAgeInSeconds: range(60, 21600),
  },
  'AWS::Events::Rule': {
    ScheduleExpression: {
      kind: 'pattern',
      pattern: /^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\(\S+ \S+ \S+ \S+ \S+ \S+\))$/,
      hint: 'rate(N minutes) or cron(min hour day month weekday year)',
    },
    'Targets[].RetryPolicy.MaximumRetryAttempts': range(0, 185),
    'Targets[].RetryPolicy.MaximumEventAgeInSeconds': range(60, 86400),
  },
  'AWS::SQS::Queue': {
    MessageRetentionPeriod: range(60, 1_209_600),
    VisibilityTimeout: range(0, 43_200),
    DelaySeconds: range(0, 900),
  },
  'AWS::CloudWatch::Alarm': {
    Period: { kind: 'pattern', pattern: /^(10|20|30|[1-9]\d*[06]0)$/, hint: '10, 20, 30 or a multiple of 60' },
    EvaluationPeriods: range(1, 100_000),
    ComparisonOperator: ALARM_COMPARISON,
    Statistic: oneOf('SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum'),
    TreatMissingData: oneOf('breaching', 'notBreaching', 'ignore', 'missing'),
  },
  'AWS::EC2::VPC': { CidrBlock: CIDR4 },
  'AWS::EC2::Subnet': { CidrBlock: CIDR4, Ipv6CidrBlock: CIDR6 },
  'AWS::EC2::Route': { DestinationCidrBlock: CIDR4, DestinationIpv6CidrBlock: CIDR6 },
  'AWS::EC2::SecurityGroup': {
    'SecurityGroupIngress[].CidrIp': CIDR4,
    'SecurityGroupIngress[].CidrIpv6': CIDR6,
    'SecurityGroupIngress[].FromPort': PORT_OR_ALL,
    'SecurityGroupIngress[].ToPort': PORT_OR_ALL,
    'SecurityGroupEgress[].CidrIp': CIDR4,
    'SecurityGroupEgress[].CidrIpv6': CIDR6,
    'SecurityGroupEgress[].FromPort': PORT_OR_ALL,
    'SecurityGroupEgress[].ToPort': PORT_OR_ALL,
  },
  'AWS::EC2::SecurityGroupIngress': { CidrIp: CIDR4, CidrIpv6: CIDR6, FromPort: PORT_OR_ALL, ToPort: PORT_OR_ALL },
  'AWS::ECS::TaskDefinition': {
    NetworkMode: oneOf('awsvpc', 'bridge', 'host', 'none'),
    'ContainerDefinitions[].StopTimeout': range(0, 120),
    'ContainerDefinitions[].PortMappings[].ContainerPort': PORT,
    'ContainerDefinitions[].HealthCheck.Interval': range(5, 300),
    'ContainerDefinitions[].HealthCheck.Timeout': range(2, 120),
    'ContainerDefinitions[].HealthCheck.Retries': range(1, 10),
    'ContainerDefinitions[].HealthCheck.StartPeriod': range(0, 300),
    'ContainerDefinitions[].User': {
      kind: 'pattern',
      pattern: /^[A-Za-z0-9_][A-Za-z0-9_.-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]*)?$/,
      hint: 'a user, uid, user:group or uid:gid',
    },
  },
  'AWS::ECS::Service': {
    HealthCheckGracePeriodSeconds: range(0, 2_147_483_647),
    'DeploymentConfiguration.MinimumHealthyPercent': range(0, 100),
    'DeploymentConfiguration.MaximumPercent': range(100, 200),
    'LoadBalancers[].ContainerPort': PORT,
  },
  'AWS::ElasticLoadBalancingV2::Listener': {
    Port: PORT,
    Protocol: oneOf('HTTP', 'HTTPS', 'TCP', 'TLS', 'UDP', 'TCP_UDP', 'GENEVE'),
  },
  'AWS::ElasticLoadBalancingV2::TargetGroup': {
    Port: PORT,
    HealthCheckIntervalSeconds: range(5, 300),
    HealthCheckTimeoutSeconds: range(2, 120),
    HealthyThresholdCount: range(2, 10),
    UnhealthyThresholdCount: range(2, 10),
    TargetType: oneOf('instance', 'ip', 'lambda', 'alb'),
  },
  'AWS::ElasticLoadBalancingV2::LoadBalancer': {
    Scheme: oneOf('internet-facing', 'internal'),
    Type: oneOf('application', 'network', 'gateway'),
  },
  'AWS::ElastiCache::ReplicationGroup': {
    NumCacheClusters: range(1, 6),
    Port: PORT,
    SnapshotRetentionLimit: range(0, 35),
  },
  'AWS::ApplicationAutoScaling::ScalableTarget': { MinCapacity: range(0, 2_147_483_647), MaxCapacity: range(0, 2_147_483_647) },
  'AWS::ApplicationAutoScaling::ScalingPolicy': {
    'TargetTrackingScalingPolicyConfiguration.ScaleInCooldown': range(0, 2_147_483_647),
    'TargetTrackingScalingPolicyConfiguration.ScaleOutCooldown': range(0, 2_147_483_647),
  },
  'AWS::SecretsManager::Secret': { 'GenerateSecretString.PasswordLength': range(1, 4096) },
  'AWS::DynamoDB::Table': { BillingMode: oneOf('PAY_PER_REQUEST', 'PROVISIONED') },
};

/** A CIDR block of the family: valid address, prefix within 0-32 (IPv4) or 0-128 (IPv6). */
export function isCidr(value: string, family: 4 | 6): boolean {
  const slash = value.lastIndexOf('/');
  if (slash < 0) return false;
  const address = value.slice(0, slash);
  const prefix = value.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > (family === 4 ? 32 : 128)) return false;
  if (family === 4) {
    const octets = address.split('.');
    return octets.length === 4 && octets.every((o) => /^\d{1,3}$/.test(o) && Number(o) <= 255);
  }
  return /^[0-9a-fA-F:]+$/.test(address) && address.includes(':') && (address.match(/::/g) ?? []).length <= 1;
}
