// Evaluates template conditions against parameter values, so `plan --dry-run` and the cost estimate
// know which conditional resources (HTTPS listener, secrets, email subscription) a config creates.
import { intrinsicName, isObject } from './intrinsics';
import type { CfnTemplate } from './types';

/** true/false, or undefined when the condition depends on something only AWS knows. */
export type Truth = boolean | undefined;

function operand(value: unknown, parameters: ReadonlyMap<string, string>): string | undefined {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return String(value);
  if (intrinsicName(value) === 'Ref' && isObject(value)) return parameters.get(String(value.Ref));
  return undefined;
}

export function evaluateCondition(
  template: CfnTemplate,
  name: string,
  parameters: ReadonlyMap<string, string>,
  seen: ReadonlySet<string> = new Set(),
): Truth {
  const conditions = (template.Conditions ?? {}) as Record<string, unknown>;
  if (!(name in conditions) || seen.has(name)) return undefined;
  const next = new Set(seen).add(name);
  const evaluate = (value: unknown): Truth => {
    const fn = intrinsicName(value);
    if (!fn || !isObject(value)) return undefined;
    const args = value[fn];
    switch (fn) {
      case 'Condition':
        return evaluateCondition(template, String(args), parameters, next);
      case 'Fn::Equals': {
        if (!Array.isArray(args)) return undefined;
        const [a, b] = args.map((arg) => operand(arg, parameters));
        return a === undefined || b === undefined ? undefined : a === b;
      }
      case 'Fn::Not': {
        const inner = Array.isArray(args) ? evaluate(args[0]) : undefined;
        return inner === undefined ? undefined : !inner;
      }
      case 'Fn::And':
      case 'Fn::Or': {
        if (!Array.isArray(args)) return undefined;
        const values = args.map(evaluate);
        if (fn === 'Fn::And') return values.includes(false) ? false : values.every((v) => v) || undefined;
        return values.includes(true) ? true : values.every((v) => v === false) ? false : undefined;
      }
      default:
        return undefined;
    }
  };
  return evaluate(conditions[name]);
}
