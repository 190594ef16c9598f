// Checks every resource against the AWS resource specification: the type exists, property names
// are known (nested property types too), required ones are present, shapes match, and every
// attribute read through Fn::GetAtt or ${X.Attr} exists. Values computed by intrinsics are skipped.
import { suggestName } from '../../../core/config/suggest';
import { getAttParts, intrinsicName, isObject, subParts, subVariables, walk } from '../intrinsics';
import type { PropertyType, TypeDefinition } from '../spec';
import { resourceSpec, typeDefinition } from '../spec';
import type { Check, CheckContext } from './issue';
import { resources, section } from './view';

type Properties = TypeDefinition['properties'];

function didYouMean(name: string, known: readonly string[]): string {
  const suggestion = suggestName(name, known);
  return suggestion ? ` (did you mean ${suggestion}?)` : '';
}

function shapeOf(value: unknown): 'list' | 'object' | 'scalar' {
  return Array.isArray(value) ? 'list' : isObject(value) ? 'object' : 'scalar';
}

function expectedShape(type: PropertyType): Array<'list' | 'object' | 'scalar' | 'any'> {
  switch (type.type) {
    case 'array':
      return ['list'];
    case 'ref':
    case 'map':
    case 'tag':
      return ['object'];
    case 'json':
      return ['any'];
    case 'union':
      return type.types.flatMap(expectedShape);
    default:
      return ['scalar'];
  }
}

/**
 * Whether a literal can stand for a scalar type. CloudFormation converts between strings and
 * numbers where the text is one ("512" for an integer), as cfn-lint accepts too.
 */
function scalarFits(type: PropertyType['type'], value: unknown): boolean {
  switch (type) {
    case 'integer':
      return Number.isInteger(value) || (typeof value === 'string' && /^-?\d+$/.test(value.trim()));
    case 'number':
      return (
        (typeof value === 'number' && Number.isFinite(value)) ||
        (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
      );
    case 'boolean':
      return typeof value === 'boolean' || value === 'true' || value === 'false';
    case 'string':
      return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
    default:
      return true;
  }
}

const article = (type: string) => (type === 'integer' ? 'an integer' : `a ${type}`);

class SpecWalker {
  constructor(
    private readonly ctx: CheckContext,
    private readonly logicalId: string,
  ) {}

  object(value: Record<string, unknown>, properties: Properties, path: string, owner: string): void {
    const known = Object.keys(properties);
    for (const [key, child] of Object.entries(value)) {
      const property = properties[key];
      if (!property) {
        this.report('spec-unknown-property', `${owner} has no property ${key}${didYouMean(key, known)}`, `${path}.${key}`);
        continue;
      }
      this.value(child, property.type, `${path}.${key}`, `${owner}.${key}`);
    }
    for (const [key, property] of Object.entries(properties)) {
      if (property.required && !(key in value)) {
        this.report('spec-missing-property', `${owner} requires ${key}`, path);
      }
    }
  }

  value(value: unknown, type: PropertyType, path: string, owner: string): void {
    const fn = intrinsicName(value);
    if (fn && isObject(value)) {
      // Only Fn::If keeps literal structure worth checking: both branches may be deployed.
      const args = value[fn];
      if (fn === 'Fn::If' && Array.isArray(args)) {
        [1, 2].forEach((i) => this.value(args[i], type, `${path}.Fn::If[${i}]`, owner));
      }
      return;
    }
    const shapes = expectedShape(type);
    const shape = shapeOf(value);
    if (!shapes.includes('any') && !shapes.includes(shape)) {
      this.report('spec-wrong-shape', `${owner} must be a ${shapes.join(' or ')}, not a ${shape}`, path);
      return;
    }
    if (type.type === 'union') {
      const member = type.types.find((t) => expectedShape(t).includes(shape));
      if (member) this.value(value, member, path, owner);
    } else if (type.type === 'array' && Array.isArray(value)) {
      value.forEach((item, i) => this.value(item, type.element, `${path}[${i}]`, owner));
    } else if (type.type === 'map' && isObject(value)) {
      for (const [k, v] of Object.entries(value)) this.value(v, type.element, `${path}.${k}`, owner);
    } else if (type.type === 'ref' && isObject(value)) {
      const definition = typeDefinition(type);
      if (definition) this.object(value, definition.properties, path, definition.name);
    } else if (!scalarFits(type.type, value)) {
      this.report('spec-wrong-type', `${owner} must be ${article(type.type)}, not ${JSON.stringify(value)}`, path);
    } else if ((type.type === 'string' || type.type === 'integer') && type.allowedValues) {
      const allowed = (type.allowedValues as Array<string | number>).map(String);
      const text = String(value).toLowerCase();
      if (!allowed.some((a) => a.toLowerCase() === text)) {
        this.report('spec-value-not-allowed', `${owner} must be one of ${allowed.join(', ')}`, path);
      }
    }
  }

  private report(rule: Parameters<CheckContext['report']>[0], message: string, path: string): void {
    this.ctx.report(rule, message, { logicalId: this.logicalId, path });
  }
}

function checkAttributes(ctx: CheckContext): void {
  const declared = section(ctx.template, 'Resources');
  const check = (id: string, attribute: string, path: string) => {
    const resource = declared[id];
    if (!isObject(resource) || typeof resource.Type !== 'string') return; // references.ts reports it
    if (resource.Type.startsWith('Custom::')) return;
    const spec = resourceSpec(resource.Type);
    if (!spec) return;
    const known = Object.keys(spec.attributes);
    if (!known.includes(attribute)) {
      ctx.report(
        'spec-unknown-attribute',
        `${resource.Type} has no attribute ${attribute}${didYouMean(attribute, known)}; it has ${known.join(', ') || 'none'}`,
        { logicalId: path.split('.')[1], path },
      );
    }
  };
  walk(ctx.template, '', (node, path) => {
    const fn = intrinsicName(node);
    if (!fn || !isObject(node)) return;
    if (fn === 'Fn::GetAtt') {
      const parts = getAttParts(node[fn]);
      if (parts) check(parts[0], parts[1], path);
    } else if (fn === 'Fn::Sub') {
      const { text, locals } = subParts(node[fn]);
      for (const variable of text ? subVariables(text) : []) {
        const dot = variable.indexOf('.');
        if (dot > 0 && !(variable in locals)) check(variable.slice(0, dot), variable.slice(dot + 1), path);
      }
    }
  });
}

export const specCheck: Check = (ctx) => {
  for (const resource of resources(ctx.template)) {
    if (resource.type.startsWith('Custom::') || resource.type === 'AWS::CloudFormation::CustomResource') continue;
    const spec = resourceSpec(resource.type);
    if (!spec) {
      ctx.report('spec-unknown-type', `Unknown resource type "${resource.type}"`, {
        logicalId: resource.id,
        path: `${resource.path}.Type`,
      });
      continue;
    }
    const walker = new SpecWalker(ctx, resource.id);
    walker.object(resource.properties, spec.properties, `${resource.path}.Properties`, resource.type);
  }
  checkAttributes(ctx);
};
