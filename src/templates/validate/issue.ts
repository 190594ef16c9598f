// What offline validation reports: one issue per problem, naming the template, the logical id and
// the property path, under a stable rule id that callers and tests branch on.

/** Every rule, spelled once, with the sentence shown in docs and `sentinel validate --help`. */
export const TEMPLATE_RULES = {
  // Against the AWS resource specification.
  'spec-unknown-type': 'The resource type exists in CloudFormation',
  'spec-unknown-property': 'Every property name is known for its type',
  'spec-missing-property': 'Required properties are present',
  'spec-wrong-shape': 'A property holds a list, an object or a scalar as its type says',
  'spec-value-not-allowed': 'A literal value is one the type accepts',
  'spec-wrong-type': 'A literal is of its property\'s scalar type (integer, number, boolean, string)',
  'intrinsic-unknown': 'Every Fn:: function is one CloudFormation has',
  'value-out-of-range': 'A literal number is within the range AWS accepts for the property',
  'value-not-allowed': 'A literal is one of the values AWS accepts for the property',
  'value-pattern': 'A literal has the format AWS accepts (CIDR blocks, names, schedules)',
  'lambda-runtime': 'The Lambda runtime exists and is not deprecated',
  'fargate-size': 'A Fargate task size is a CPU value Fargate has, with a memory size that fits it',
  'spec-unknown-attribute': 'Fn::GetAtt (and ${X.Attr} in Fn::Sub) names an attribute of the type',
  // Internal consistency.
  'ref-unresolved': 'Ref, Fn::GetAtt, Fn::Sub variables, DependsOn and Fn::FindInMap resolve',
  'ref-conditional': 'A conditional resource is referenced only where its condition holds',
  'condition-unresolved': 'Every condition named (Condition, Fn::If) is declared',
  'condition-unused': 'Every declared condition is used',
  'parameter-unused': 'Every declared parameter is used',
  'parameter-undeclared': 'Every parameter passed is declared',
  'parameter-not-passed': 'Every declared parameter without a default is passed',
  'parameter-value': 'Parameter values are ones AWS accepts together (Fargate sizes, scaling bounds)',
  'template-limit': 'Body size and counts are within CloudFormation limits',
  // Our security rules.
  'secret-parameter-echo': 'A secret-looking parameter is NoEcho and has no default value',
  'secret-in-environment': 'No secret in a plain container or Lambda environment',
  'secret-in-output': 'No output reveals a NoEcho parameter',
  'redis-auth': 'Redis requires an AUTH token, resolved from Secrets Manager, not written in the template',
  'sg-redis-ingress': 'Redis accepts connections only from the gateway security group',
  'sg-gateway-ingress': 'Gateway tasks accept connections only from the load balancer security group',
  'sg-alb-ingress': 'The load balancer accepts only TCP 80 and 443',
  'iam-wildcard-action': 'No IAM action with a wildcard, no NotAction, no admin managed policy',
  'iam-wildcard-resource': 'Resource "*" only for actions AWS cannot scope (log streams, ECR login)',
  'encryption-at-rest': 'Tables, the topic and Redis are encrypted at rest',
  'encryption-in-transit': 'Redis requires TLS; HTTPS listeners use a TLS 1.2+ policy',
  'tags-missing': 'Every taggable resource carries the product and stack tags',
  'tags-unsupported': 'No Tags on a type whose registry schema lacks them in some regions',
} as const;

export type TemplateRule = keyof typeof TEMPLATE_RULES;

export interface TemplateIssue {
  /** The stack mode (or fixture name) whose rendered template has the problem. */
  template: string;
  logicalId?: string;
  /** Where inside the template, e.g. `Resources.X.Properties.ContainerDefinitions[0].Environment[3]`. */
  path?: string;
  rule: TemplateRule;
  message: string;
  /** The fragment (file) that defines the logical id, when known. */
  source?: string;
}

export function formatTemplateIssue(issue: TemplateIssue): string {
  const where = [issue.template, issue.path ?? issue.logicalId].filter(Boolean).join(': ');
  const source = issue.source ? ` (${issue.source})` : '';
  return `${where}${source} [${issue.rule}] ${issue.message}`;
}

/** The context each check receives and the way it reports. */
export interface CheckContext {
  template: Record<string, unknown>;
  /** Parameter values passed with the template, when known. */
  parameters?: ReadonlyMap<string, { value: string; secret: boolean }>;
  body?: string;
  report(rule: TemplateRule, message: string, where?: { logicalId?: string; path?: string }): void;
}

export type Check = (context: CheckContext) => void;
