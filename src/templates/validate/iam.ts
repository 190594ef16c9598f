// Least privilege in every IAM policy the stack creates: no wildcard actions, no NotAction, no broad
// AWS managed policies, and Resource "*" only for the few actions AWS cannot scope to a resource.
import { isObject } from '../intrinsics';
import type { Check, CheckContext } from './issue';
import { asList, resources, statementsOf } from './view';

/** Actions that accept no narrower resource than "*". */
export const RESOURCE_WILDCARD_ACTIONS: ReadonlySet<string> = new Set([
  'logs:CreateLogStream',
  'logs:PutLogEvents',
  'ecr:GetAuthorizationToken',
]);

const BROAD_MANAGED_POLICY = /(AdministratorAccess|PowerUserAccess|FullAccess|IAMFullAccess)$/;

/** Policy documents of a resource with their paths. */
function documents(type: string, properties: Record<string, unknown>, base: string) {
  const found: Array<{ document: unknown; path: string }> = [];
  if (type === 'AWS::IAM::Role' || type === 'AWS::IAM::User' || type === 'AWS::IAM::Group') {
    asList(properties.Policies).forEach((policy, i) => {
      if (isObject(policy)) found.push({ document: policy.PolicyDocument, path: `${base}.Policies[${i}].PolicyDocument` });
    });
  }
  if (type === 'AWS::IAM::Policy' || type === 'AWS::IAM::ManagedPolicy' || type === 'AWS::IAM::RolePolicy') {
    found.push({ document: properties.PolicyDocument, path: `${base}.PolicyDocument` });
  }
  return found;
}

function checkStatement(ctx: CheckContext, id: string, statement: Record<string, unknown>, path: string): void {
  if (statement.Effect === 'Deny') return;
  if (statement.NotAction !== undefined) {
    ctx.report('iam-wildcard-action', 'NotAction grants everything not listed; list the actions instead', {
      logicalId: id,
      path: `${path}.NotAction`,
    });
  }
  const actions = asList(statement.Action).map(String);
  for (const action of actions.filter((a) => a.includes('*'))) {
    ctx.report('iam-wildcard-action', `Action "${action}" is a wildcard; name the actions needed`, {
      logicalId: id,
      path: `${path}.Action`,
    });
  }
  const resourcesListed = asList(statement.Resource);
  if (resourcesListed.includes('*')) {
    const unscoped = actions.filter((a) => !RESOURCE_WILDCARD_ACTIONS.has(a));
    if (unscoped.length > 0) {
      ctx.report(
        'iam-wildcard-resource',
        `Resource "*" for ${unscoped.join(', ')}; scope it to the stack's resources (only ${[...RESOURCE_WILDCARD_ACTIONS].join(', ')} may use "*")`,
        { logicalId: id, path: `${path}.Resource` },
      );
    }
  }
}

export const iamCheck: Check = (ctx) => {
  for (const resource of resources(ctx.template)) {
    const base = `${resource.path}.Properties`;
    asList(resource.properties.ManagedPolicyArns).forEach((arn, i) => {
      if (typeof arn === 'string' && BROAD_MANAGED_POLICY.test(arn)) {
        ctx.report('iam-wildcard-action', `Managed policy ${arn} grants far more than the stack needs`, {
          logicalId: resource.id,
          path: `${base}.ManagedPolicyArns[${i}]`,
        });
      }
    });
    for (const { document, path } of documents(resource.type, resource.properties, base)) {
      for (const { item, path: at } of statementsOf(document, path)) {
        if (isObject(item)) checkStatement(ctx, resource.id, item, at);
      }
    }
  }
};
