// Value checks cfn-lint makes and the resource specification cannot: unknown intrinsic functions,
// literal numbers out of range, values outside the accepted set, malformed CIDR blocks and
// schedules (PROPERTY_RULES), the Lambda runtime's lifecycle, and Fargate's CPU/memory pairs.
// Values computed by intrinsics are skipped; both branches of an Fn::If are checked.
import { intrinsicName, isObject, joinPath, walk } from '../intrinsics';
import type { Check, CheckContext } from './issue';
import { judgeRuntime, NEWEST_NODE_RUNTIME } from './lambda-runtimes';
import { FARGATE_MEMORY, fargateMemoryFits } from './parameter-values';
import { isCidr, PROPERTY_RULES, type PropertyRule } from './property-rules';
import { resources } from './view';

/** Every intrinsic function CloudFormation has (Fn::ForEach loops come with the LanguageExtensions transform). */
const INTRINSICS: ReadonlySet<string> = new Set([
  'Fn::Base64',
  'Fn::Cidr',
  'Fn::FindInMap',
  'Fn::GetAtt',
  'Fn::GetAZs',
  'Fn::ImportValue',
  'Fn::Join',
  'Fn::Length',
  'Fn::Select',
  'Fn::Split',
  'Fn::Sub',
  'Fn::ToJsonString',
  'Fn::Transform',
  'Fn::And',
  'Fn::Equals',
  'Fn::If',
  'Fn::Not',
  'Fn::Or',
]);

function checkIntrinsics(ctx: CheckContext): void {
  walk(ctx.template, '', (node, path) => {
    if (!isObject(node)) return;
    for (const key of Object.keys(node)) {
      if (key.startsWith('Fn::') && !INTRINSICS.has(key) && !key.startsWith('Fn::ForEach::')) {
        ctx.report('intrinsic-unknown', `${key} is not a CloudFormation function`, { path: joinPath(path, key) });
      }
    }
  });
}

/** Literal leaves of a resource's properties: their exact path and their `[]` pattern. */
function literals(value: unknown, exact: string, pattern: string, emit: (pattern: string, value: unknown, exact: string) => void) {
  const fn = intrinsicName(value);
  if (fn && isObject(value)) {
    const args = value[fn];
    if (fn === 'Fn::If' && Array.isArray(args)) {
      [1, 2].forEach((i) => literals(args[i], `${exact}.Fn::If[${i}]`, pattern, emit));
    }
    return;
  }
  if (Array.isArray(value)) value.forEach((item, i) => literals(item, `${exact}[${i}]`, `${pattern}[]`, emit));
  else if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) literals(v, `${exact}.${k}`, pattern ? `${pattern}.${k}` : k, emit);
  } else emit(pattern, value, exact);
}

function checkRule(ctx: CheckContext, id: string, name: string, rule: PropertyRule, value: unknown, path: string) {
  const text = String(value);
  const where = { logicalId: id, path };
  switch (rule.kind) {
    case 'range': {
      const n = Number(text);
      if (text.trim() === '' || !Number.isFinite(n)) return; // spec-wrong-type reports it
      if (n < rule.min || n > rule.max) {
        ctx.report('value-out-of-range', `${name} is ${text}; AWS accepts ${rule.min} to ${rule.max}`, where);
      }
      return;
    }
    case 'one-of':
      if (!rule.values.includes(text)) {
        ctx.report('value-not-allowed', `${name} is ${JSON.stringify(value)}; use one of ${rule.values.join(', ')}`, where);
      }
      return;
    case 'pattern':
      if (!rule.pattern.test(text)) ctx.report('value-pattern', `${name} is ${JSON.stringify(value)}; use ${rule.hint}`, where);
      return;
    case 'cidr':
      if (!isCidr(text, rule.family)) {
        ctx.report('value-pattern', `${name} is ${JSON.stringify(value)}, not an IPv${rule.family} CIDR block`, where);
      }
  }
}

function checkRuntime(ctx: CheckContext, id: string, runtime: unknown, path: string, now: Date) {
  if (typeof runtime !== 'string') return;
  const verdict = judgeRuntime(runtime, now);
  if (verdict.kind === 'unknown') {
    ctx.report('lambda-runtime', `Lambda has no runtime ${runtime}; use ${NEWEST_NODE_RUNTIME}`, { logicalId: id, path });
  } else if (verdict.kind === 'deprecated') {
    const blocked = verdict.blockCreate ? `, creation blocked from ${verdict.blockCreate}` : '';
    ctx.report('lambda-runtime', `${runtime} is deprecated since ${verdict.since}${blocked}; use ${NEWEST_NODE_RUNTIME}`, {
      logicalId: id,
      path,
    });
  }
}

function checkFargate(ctx: CheckContext, id: string, properties: Record<string, unknown>, path: string) {
  const compat = properties.RequiresCompatibilities;
  if (!Array.isArray(compat) || !compat.includes('FARGATE')) return;
  const literal = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? Number(v) : undefined);
  const cpu = literal(properties.Cpu);
  const memory = literal(properties.Memory);
  if (cpu !== undefined && !FARGATE_MEMORY[cpu]) {
    ctx.report('fargate-size', `Fargate has no CPU size ${String(properties.Cpu)}; use one of ${Object.keys(FARGATE_MEMORY).join(', ')}`, {
      logicalId: id,
      path: `${path}.Cpu`,
    });
  } else if (cpu !== undefined && memory !== undefined && !fargateMemoryFits(cpu, memory)) {
    ctx.report('fargate-size', `Fargate does not run ${cpu} CPU units with ${memory} MiB`, { logicalId: id, path: `${path}.Memory` });
  }
}

/** The check, with the date runtime lifecycles are judged at. */
export function valueCheck(now: () => Date): Check {
  return (ctx) => {
    checkIntrinsics(ctx);
    for (const resource of resources(ctx.template)) {
      const base = `${resource.path}.Properties`;
      const rules = PROPERTY_RULES[resource.type];
      if (rules) {
        literals(resource.properties, base, '', (pattern, value, exact) => {
          const rule = rules[pattern];
          if (rule) checkRule(ctx, resource.id, `${resource.type} ${pattern}`, rule, value, exact);
        });
      }
      if (resource.type === 'AWS::Lambda::Function') {
        literals(resource.properties.Runtime, `${base}.Runtime`, 'Runtime', (_p, value, exact) =>
          checkRuntime(ctx, resource.id, value, exact, now()),
        );
      }
      if (resource.type === 'AWS::ECS::TaskDefinition') checkFargate(ctx, resource.id, resource.properties, base);
    }
  };
}
