// Secrets stay secret: secret parameters are NoEcho without a default, and no secret reaches a plain
// container or Lambda environment or an output (where anyone with read access to the task
// definition, function configuration or stack would see it); Redis has an AUTH token, kept the same way.
import { keyForEnvName, knobFor } from '../../../core/config/schema';
import { isObject, referencedNames, subParts, subVariables } from '../intrinsics';
import { parameterCandidates } from '../parameters';
import type { Check, CheckContext } from './issue';
import { listItems, noEchoParameters, resourcesOfType, section } from './view';

/** Names that suggest a secret, for names the schema does not know. */
const SECRET_LOOKING = /secret|passw(or)?d|token|private.?key|api.?key|credential/i;

/** Whether each parameter our templates can declare is secret (knobs, assets, derived values). */
const knownParameters = new Map(parameterCandidates().map((p) => [p.name, p.secret]));

/** Our own definitions decide for our names; the pattern only for names they do not know. */
function isSecretParameter(name: string): boolean {
  return knownParameters.get(name) ?? SECRET_LOOKING.test(name);
}

function isSecretEnvName(name: string): boolean {
  const key = keyForEnvName(name);
  return key ? knobFor(key).secret === true : SECRET_LOOKING.test(name);
}

function checkParameters(ctx: CheckContext): void {
  for (const [name, definition] of Object.entries(section(ctx.template, 'Parameters'))) {
    const passedAsSecret = ctx.parameters?.get(name)?.secret === true;
    if (!isSecretParameter(name) && !passedAsSecret) continue;
    const spec = isObject(definition) ? definition : {};
    if (spec.NoEcho !== true && spec.NoEcho !== 'true') {
      ctx.report('secret-parameter-echo', `Parameter ${name} looks secret but is not NoEcho`, {
        path: `Parameters.${name}`,
      });
    }
    if (typeof spec.Default === 'string' && spec.Default !== '') {
      ctx.report('secret-parameter-echo', `Secret parameter ${name} has a default value in the template`, {
        path: `Parameters.${name}.Default`,
      });
    }
  }
}

function checkVariable(ctx: CheckContext, id: string, name: string, value: unknown, path: string): void {
  const noEcho = noEchoParameters(ctx.template);
  const leaked = [...referencedNames(value)].filter((n) => noEcho.has(n));
  if (isSecretEnvName(name) || leaked.length > 0) {
    const why = leaked.length > 0 ? `carries NoEcho parameter ${leaked.join(', ')}` : 'is a secret';
    ctx.report(
      'secret-in-environment',
      `${name} ${why} in a plain environment; inject it from Secrets Manager (container Secrets) instead`,
      { logicalId: id, path },
    );
  }
}

function checkEnvironments(ctx: CheckContext): void {
  for (const task of resourcesOfType(ctx.template, 'AWS::ECS::TaskDefinition')) {
    const base = `${task.path}.Properties.ContainerDefinitions`;
    for (const container of listItems(task.properties.ContainerDefinitions, base)) {
      if (!isObject(container.item)) continue;
      for (const entry of listItems(container.item.Environment, `${container.path}.Environment`)) {
        if (!isObject(entry.item)) continue;
        checkVariable(ctx, task.id, String(entry.item.Name), entry.item.Value, entry.path);
      }
    }
  }
  for (const fn of resourcesOfType(ctx.template, 'AWS::Lambda::Function', 'AWS::Serverless::Function')) {
    const environment = fn.properties.Environment;
    const variables = isObject(environment) ? environment.Variables : undefined;
    if (!isObject(variables)) continue;
    for (const [name, value] of Object.entries(variables)) {
      checkVariable(ctx, fn.id, name, value, `${fn.path}.Properties.Environment.Variables.${name}`);
    }
  }
}

function checkOutputs(ctx: CheckContext): void {
  const noEcho = noEchoParameters(ctx.template);
  for (const [name, output] of Object.entries(section(ctx.template, 'Outputs'))) {
    const leaked = [...referencedNames(output)].filter((n) => noEcho.has(n));
    if (leaked.length > 0) {
      ctx.report('secret-in-output', `Output ${name} reveals NoEcho parameter ${leaked.join(', ')}`, {
        logicalId: name,
        path: `Outputs.${name}.Value`,
      });
    }
  }
}

/** A dynamic reference CloudFormation resolves at deploy time, never storing the value in the template. */
const SECRETS_MANAGER_REFERENCE = '{{resolve:secretsmanager:';

/**
 * What is wrong with a Redis AUTH token, if anything. It must be there (the security group alone
 * would let anything placed in it connect) and must not be written into the template: a Secrets
 * Manager reference, a NoEcho parameter, or computed (Fn::If and the like, not followed).
 */
function authTokenProblem(token: unknown, noEcho: ReadonlySet<string>): string | undefined {
  const written = 'has its AuthToken written in the template; resolve it from Secrets Manager';
  if (token === undefined) return 'needs an AuthToken (from Secrets Manager)';
  if (typeof token === 'string') return token.startsWith(SECRETS_MANAGER_REFERENCE) ? undefined : written;
  if (!isObject(token)) return undefined;
  if ('Fn::Sub' in token) {
    const text = subParts(token['Fn::Sub']).text ?? '';
    const hidden = text.startsWith(SECRETS_MANAGER_REFERENCE) || subVariables(text).some((v) => noEcho.has(v));
    return hidden ? undefined : written;
  }
  if (typeof token.Ref === 'string' && !noEcho.has(token.Ref))
    return `takes its AuthToken from ${token.Ref}, which is not a NoEcho parameter`;
  return undefined;
}

function checkRedisAuth(ctx: CheckContext): void {
  const noEcho = noEchoParameters(ctx.template);
  for (const redis of resourcesOfType(ctx.template, 'AWS::ElastiCache::ReplicationGroup')) {
    const problem = authTokenProblem(redis.properties.AuthToken, noEcho);
    if (problem) {
      ctx.report('redis-auth', `Redis ${redis.id} ${problem}`, {
        logicalId: redis.id,
        path: `${redis.path}.Properties.AuthToken`,
      });
    }
  }
}

export const secretsCheck: Check = (ctx) => {
  checkParameters(ctx);
  checkEnvironments(ctx);
  checkOutputs(ctx);
  checkRedisAuth(ctx);
};

