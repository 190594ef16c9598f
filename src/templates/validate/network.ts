// Security groups as the design says: internet -> ALB (80/443 only) -> gateway -> Redis. Roles are
// read from the template's structure (which groups the Redis cluster, the ECS service and the load
// balancer use), so a renamed resource is still checked.
import { isObject } from '../intrinsics';
import type { Check, CheckContext } from './issue';
import { asList, listItems, pointsAt, resources, resourcesOfType } from './view';

interface IngressRule {
  rule: Record<string, unknown>;
  path: string;
  /** The logical id holding the rule (the group, or a standalone ingress resource). */
  owner: string;
}

/** Logical ids of the security groups a list property points at. */
function groupIds(value: unknown): string[] {
  return asList(value)
    .map(pointsAt)
    .filter((id): id is string => id !== undefined);
}

function ingressRules(template: Record<string, unknown>, group: string): IngressRule[] {
  const rules: IngressRule[] = [];
  for (const resource of resources(template)) {
    if (resource.type === 'AWS::EC2::SecurityGroup' && resource.id === group) {
      const base = `${resource.path}.Properties.SecurityGroupIngress`;
      for (const { item, path } of listItems(resource.properties.SecurityGroupIngress, base)) {
        if (isObject(item)) rules.push({ rule: item, path, owner: resource.id });
      }
    }
    if (resource.type === 'AWS::EC2::SecurityGroupIngress' && pointsAt(resource.properties.GroupId) === group) {
      rules.push({ rule: resource.properties, path: `${resource.path}.Properties`, owner: resource.id });
    }
  }
  return rules;
}

function describeSource(rule: Record<string, unknown>): string {
  for (const key of ['CidrIp', 'CidrIpv6', 'SourcePrefixListId']) {
    if (rule[key] !== undefined) return `${key} ${JSON.stringify(rule[key])}`;
  }
  const source = pointsAt(rule.SourceSecurityGroupId);
  return source ? `security group ${source}` : 'an unknown source';
}

function checkOnlyFrom(
  ctx: CheckContext,
  groups: string[],
  allowed: ReadonlySet<string>,
  rule: 'sg-redis-ingress' | 'sg-gateway-ingress',
  what: string,
): void {
  for (const group of groups) {
    for (const ingress of ingressRules(ctx.template, group)) {
      const source = pointsAt(ingress.rule.SourceSecurityGroupId);
      const cidr = ['CidrIp', 'CidrIpv6', 'SourcePrefixListId'].some((k) => ingress.rule[k] !== undefined);
      if (cidr || !source || !allowed.has(source)) {
        ctx.report(rule, `${group} (${what}) accepts ${describeSource(ingress.rule)}`, {
          logicalId: ingress.owner,
          path: ingress.path,
        });
      }
    }
  }
}

export const networkCheck: Check = (ctx) => {
  const { template } = ctx;
  const redis = resourcesOfType(
    template,
    'AWS::ElastiCache::ReplicationGroup',
    'AWS::ElastiCache::CacheCluster',
  ).flatMap((r) => [...groupIds(r.properties.SecurityGroupIds), ...groupIds(r.properties.VpcSecurityGroupIds)]);
  const gateway = resourcesOfType(template, 'AWS::ECS::Service').flatMap((r) => {
    const network = r.properties.NetworkConfiguration;
    const awsvpc = isObject(network) ? network.AwsvpcConfiguration : undefined;
    return isObject(awsvpc) ? groupIds(awsvpc.SecurityGroups) : [];
  });
  const alb = resourcesOfType(template, 'AWS::ElasticLoadBalancingV2::LoadBalancer').flatMap((r) =>
    groupIds(r.properties.SecurityGroups),
  );

  checkOnlyFrom(ctx, redis, new Set(gateway), 'sg-redis-ingress', 'Redis, only the gateway may connect');
  checkOnlyFrom(ctx, gateway, new Set(alb), 'sg-gateway-ingress', 'gateway tasks, only the load balancer may connect');

  for (const group of alb) {
    for (const ingress of ingressRules(template, group)) {
      const { IpProtocol, FromPort, ToPort } = ingress.rule;
      const tcp = String(IpProtocol) === 'tcp' || String(IpProtocol) === '6';
      const port = Number(FromPort);
      if (!tcp || port !== Number(ToPort) || (port !== 80 && port !== 443)) {
        ctx.report(
          'sg-alb-ingress',
          `${group} (load balancer) opens ${String(IpProtocol)} ${String(FromPort)}-${String(ToPort)}; only TCP 80 and 443 are allowed`,
          { logicalId: ingress.owner, path: ingress.path },
        );
      }
    }
  }
};
