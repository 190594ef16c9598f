// Reading CloudFormation's intrinsic functions out of template data: walking with property paths,
// `Fn::Sub` variables, and the names a value refers to. Shared by the renderer and the validators.

export const PSEUDO_PARAMETERS: ReadonlySet<string> = new Set([
  'AWS::AccountId',
  'AWS::NotificationARNs',
  'AWS::NoValue',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
]);

export type Json = unknown;

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `{ Ref: x }`, `{ Condition: x }` or `{ 'Fn::...': ... }`: a value CloudFormation computes. */
export function intrinsicName(value: unknown): string | undefined {
  if (!isObject(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  const key = keys[0]!;
  return key === 'Ref' || key === 'Condition' || key.startsWith('Fn::') ? key : undefined;
}

export function joinPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

/** Calls `visit` for every value below `value` (depth first, parents first) with its path. */
export function walk(value: Json, path: string, visit: (node: Json, path: string) => void): void {
  visit(value, path);
  if (Array.isArray(value)) value.forEach((item, i) => walk(item, joinPath(path, i), visit));
  else if (isObject(value)) for (const [k, v] of Object.entries(value)) walk(v, joinPath(path, k), visit);
}

/** The `${...}` variables of a Sub string; `${!Literal}` is an escaped literal, not a variable. */
export function subVariables(text: string): string[] {
  const names: string[] = [];
  for (const match of text.matchAll(/\$\{([^}]*)\}/g)) {
    const inner = match[1]!.trim();
    if (!inner.startsWith('!')) names.push(inner);
  }
  return names;
}

/** A Sub's text and its local variable map, from either of its two forms. */
export function subParts(argument: unknown): { text: string | undefined; locals: Record<string, unknown> } {
  if (typeof argument === 'string') return { text: argument, locals: {} };
  if (Array.isArray(argument) && typeof argument[0] === 'string') {
    return { text: argument[0], locals: isObject(argument[1]) ? argument[1] : {} };
  }
  return { text: undefined, locals: {} };
}

/** `[logicalId, attribute]` of a GetAtt argument (`['X', 'A.B']` or the legacy 'X.A.B'). */
export function getAttParts(argument: unknown): [string, string] | undefined {
  if (Array.isArray(argument) && typeof argument[0] === 'string' && typeof argument[1] === 'string') {
    return [argument[0], argument[1]];
  }
  if (typeof argument === 'string' && argument.includes('.')) {
    const dot = argument.indexOf('.');
    return [argument.slice(0, dot), argument.slice(dot + 1)];
  }
  return undefined;
}

/** Every logical id or parameter a value names through Ref, GetAtt or a Sub variable. */
export function referencedNames(value: Json): Set<string> {
  const names = new Set<string>();
  walk(value, '', (node) => {
    const fn = intrinsicName(node);
    if (!fn || !isObject(node)) return;
    const argument = node[fn];
    if (fn === 'Ref' && typeof argument === 'string') names.add(argument);
    if (fn === 'Fn::GetAtt') {
      const parts = getAttParts(argument);
      if (parts) names.add(parts[0]);
    }
    if (fn === 'Fn::Sub') {
      const { text, locals } = subParts(argument);
      for (const variable of text ? subVariables(text) : []) {
        if (!(variable in locals)) names.add(variable.split('.')[0]!);
      }
    }
  });
  return names;
}
