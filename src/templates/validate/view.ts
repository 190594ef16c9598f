// Typed read access to a template for the checks: its resources, parameters and the logical id a
// value points at. Tolerant of malformed input: fixtures are broken on purpose.
import { getAttParts, intrinsicName, isObject } from '../intrinsics';

export interface ResourceView {
  id: string;
  type: string;
  properties: Record<string, unknown>;
  condition?: string;
  path: string;
  raw: Record<string, unknown>;
}

export function section(template: Record<string, unknown>, name: string): Record<string, unknown> {
  const value = template[name];
  return isObject(value) ? value : {};
}

export function resources(template: Record<string, unknown>): ResourceView[] {
  return Object.entries(section(template, 'Resources')).map(([id, raw]) => {
    const resource = isObject(raw) ? raw : {};
    return {
      id,
      type: typeof resource.Type === 'string' ? resource.Type : '',
      properties: isObject(resource.Properties) ? resource.Properties : {},
      condition: typeof resource.Condition === 'string' ? resource.Condition : undefined,
      path: `Resources.${id}`,
      raw: resource,
    };
  });
}

export function resourcesOfType(template: Record<string, unknown>, ...types: string[]): ResourceView[] {
  return resources(template).filter((r) => types.includes(r.type));
}

/** Names of NoEcho parameters. */
export function noEchoParameters(template: Record<string, unknown>): Set<string> {
  const names = new Set<string>();
  for (const [name, definition] of Object.entries(section(template, 'Parameters'))) {
    if (isObject(definition) && (definition.NoEcho === true || definition.NoEcho === 'true')) names.add(name);
  }
  return names;
}

/** The logical id a value points at through `Ref x` or `Fn::GetAtt [x, ...]`. */
export function pointsAt(value: unknown): string | undefined {
  const fn = intrinsicName(value);
  if (!fn || !isObject(value)) return undefined;
  if (fn === 'Ref' && typeof value.Ref === 'string') return value.Ref;
  if (fn === 'Fn::GetAtt') return getAttParts(value[fn])?.[0];
  return undefined;
}

/** The items of a list value, looking through `Fn::If` branches (both may apply). */
export function listItems(value: unknown, path: string): Array<{ item: unknown; path: string }> {
  if (Array.isArray(value)) {
    return value.flatMap((item, i) => {
      const itemPath = `${path}[${i}]`;
      if (intrinsicName(item) === 'Fn::If' && isObject(item)) return ifBranches(item, itemPath);
      return [{ item, path: itemPath }];
    });
  }
  if (intrinsicName(value) === 'Fn::If' && isObject(value)) {
    return ifBranches(value, path).flatMap((b) => listItems(b.item, b.path));
  }
  return [];
}

function ifBranches(value: Record<string, unknown>, path: string): Array<{ item: unknown; path: string }> {
  const args = value['Fn::If'];
  if (!Array.isArray(args)) return [];
  return [1, 2]
    .map((i) => ({ item: args[i], path: `${path}.Fn::If[${i}]` }))
    .filter((b) => !(isObject(b.item) && b.item.Ref === 'AWS::NoValue'));
}

/** A statement list as IAM allows it: one object or an array. */
export function statementsOf(document: unknown, path: string): Array<{ item: unknown; path: string }> {
  if (!isObject(document)) return [];
  const statement = document.Statement;
  if (Array.isArray(statement) || intrinsicName(statement) === 'Fn::If')
    return listItems(statement, `${path}.Statement`);
  return statement === undefined ? [] : [{ item: statement, path: `${path}.Statement` }];
}

export function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}
