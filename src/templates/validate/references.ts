// Internal consistency: every Ref, Fn::GetAtt, Fn::Sub variable, DependsOn, Fn::FindInMap and
// condition resolves; conditional resources are referenced only where they exist; every parameter
// and condition is used; and the parameters passed match those declared.
import { getAttParts, intrinsicName, isObject, PSEUDO_PARAMETERS, subParts, subVariables } from '../intrinsics';
import type { Check, CheckContext } from './issue';
import { asList, section } from './view';

interface Scope {
  /** Conditions known to hold here (the resource's own, enclosing Fn::If true branches). */
  holds: ReadonlySet<string>;
  logicalId?: string;
  inConditions: boolean;
}

class ReferenceWalker {
  readonly parameters: Record<string, unknown>;
  readonly resources: Record<string, unknown>;
  readonly conditions: Record<string, unknown>;
  readonly mappings: Record<string, unknown>;
  readonly usedParameters = new Set<string>();
  readonly usedConditions = new Set<string>();

  constructor(private readonly ctx: CheckContext) {
    this.parameters = section(ctx.template, 'Parameters');
    this.resources = section(ctx.template, 'Resources');
    this.conditions = section(ctx.template, 'Conditions');
    this.mappings = section(ctx.template, 'Mappings');
  }

  report(rule: Parameters<CheckContext['report']>[0], message: string, path: string, scope: Scope): void {
    this.ctx.report(rule, message, { logicalId: scope.logicalId, path });
  }

  condition(name: unknown, path: string, scope: Scope): void {
    if (typeof name !== 'string' || !(name in this.conditions)) {
      this.report('condition-unresolved', `Condition ${String(name)} is not declared`, path, scope);
    } else {
      this.usedConditions.add(name);
    }
  }

  /** A name used through Ref or a Sub variable without attribute. */
  name(name: string, path: string, scope: Scope, via: string): void {
    if (PSEUDO_PARAMETERS.has(name)) return;
    if (name in this.parameters) {
      this.usedParameters.add(name);
      return;
    }
    if (name in this.resources && !scope.inConditions) {
      this.resource(name, path, scope);
      return;
    }
    const what = scope.inConditions ? 'parameter' : 'parameter or resource';
    this.report('ref-unresolved', `${via} ${name}: no such ${what}`, path, scope);
  }

  resource(id: string, path: string, scope: Scope): void {
    const target = this.resources[id];
    const condition = isObject(target) && typeof target.Condition === 'string' ? target.Condition : undefined;
    if (condition && !scope.holds.has(condition)) {
      this.report(
        'ref-conditional',
        `${id} exists only when ${condition}; refer to it inside !If [${condition}, ...] or give ${scope.logicalId ?? 'this'} Condition ${condition}`,
        path,
        scope,
      );
    }
  }

  visit(value: unknown, path: string, scope: Scope): void {
    if (Array.isArray(value)) {
      value.forEach((item, i) => this.visit(item, `${path}[${i}]`, scope));
      return;
    }
    if (!isObject(value)) return;
    const fn = intrinsicName(value);
    if (!fn) {
      for (const [k, v] of Object.entries(value)) this.visit(v, `${path}.${k}`, scope);
      return;
    }
    const args = value[fn];
    const at = `${path}.${fn}`;
    switch (fn) {
      case 'Ref':
        if (typeof args === 'string') this.name(args, at, scope, 'Ref');
        return;
      case 'Condition':
        this.condition(args, at, scope);
        return;
      case 'Fn::GetAtt': {
        const parts = getAttParts(args);
        if (!parts || !(parts[0] in this.resources) || scope.inConditions) {
          this.report('ref-unresolved', `Fn::GetAtt ${parts?.[0] ?? String(args)}: no such resource`, at, scope);
        } else {
          this.resource(parts[0], at, scope);
        }
        return;
      }
      case 'Fn::Sub': {
        const { text, locals } = subParts(args);
        for (const variable of text ? subVariables(text) : []) {
          if (variable in locals) continue;
          const dot = variable.indexOf('.');
          if (dot === -1) this.name(variable, at, scope, 'Fn::Sub variable');
          else if (variable.slice(0, dot) in this.resources) this.resource(variable.slice(0, dot), at, scope);
          else this.report('ref-unresolved', `Fn::Sub variable ${variable}: no such resource`, at, scope);
        }
        for (const [k, v] of Object.entries(locals)) this.visit(v, `${at}[1].${k}`, scope);
        return;
      }
      case 'Fn::If': {
        if (!Array.isArray(args)) return;
        this.condition(args[0], `${at}[0]`, scope);
        const holds = new Set(scope.holds).add(String(args[0]));
        this.visit(args[1], `${at}[1]`, { ...scope, holds });
        this.visit(args[2], `${at}[2]`, scope);
        return;
      }
      case 'Fn::FindInMap': {
        const [map, first, second] = Array.isArray(args) ? args : [];
        const mapping = typeof map === 'string' ? this.mappings[map] : undefined;
        if (!isObject(mapping)) {
          this.report('ref-unresolved', `Fn::FindInMap ${String(map)}: no such mapping`, at, scope);
        } else if (typeof first === 'string' && typeof second === 'string') {
          const row = mapping[first];
          if (!isObject(row) || !(second in row))
            this.report('ref-unresolved', `Fn::FindInMap: ${map} has no ${first}.${second}`, at, scope);
        }
        this.visit(args, at, scope);
        return;
      }
      default:
        this.visit(args, at, scope);
    }
  }
}

function checkParametersPassed(ctx: CheckContext, declared: Record<string, unknown>): void {
  if (!ctx.parameters) return;
  for (const key of ctx.parameters.keys()) {
    if (!(key in declared)) {
      ctx.report('parameter-undeclared', `Parameter ${key} is passed but the template does not declare it`, {
        path: `Parameters.${key}`,
      });
    }
  }
  for (const [name, definition] of Object.entries(declared)) {
    const hasDefault = isObject(definition) && 'Default' in definition;
    if (!hasDefault && !ctx.parameters.has(name)) {
      ctx.report('parameter-not-passed', `Parameter ${name} has no default and is not passed`, {
        path: `Parameters.${name}`,
      });
    }
  }
}

export const referenceCheck: Check = (ctx) => {
  const walker = new ReferenceWalker(ctx);
  const none = new Set<string>();
  for (const [name, body] of Object.entries(walker.conditions)) {
    walker.visit(body, `Conditions.${name}`, { holds: none, inConditions: true });
  }
  for (const [id, raw] of Object.entries(walker.resources)) {
    if (!isObject(raw)) continue;
    const path = `Resources.${id}`;
    const own = typeof raw.Condition === 'string' ? raw.Condition : undefined;
    const scope: Scope = { holds: own ? new Set([own]) : none, logicalId: id, inConditions: false };
    if (raw.Condition !== undefined) walker.condition(raw.Condition, `${path}.Condition`, scope);
    asList(raw.DependsOn).forEach((target, i) => {
      const at = Array.isArray(raw.DependsOn) ? `${path}.DependsOn[${i}]` : `${path}.DependsOn`;
      if (typeof target !== 'string' || !(target in walker.resources)) {
        walker.report('ref-unresolved', `DependsOn ${String(target)}: no such resource`, at, scope);
      } else {
        walker.resource(target, at, scope);
      }
    });
    for (const key of ['Properties', 'Metadata', 'CreationPolicy', 'UpdatePolicy']) {
      if (raw[key] !== undefined) walker.visit(raw[key], `${path}.${key}`, scope);
    }
  }
  for (const [name, raw] of Object.entries(section(ctx.template, 'Outputs'))) {
    if (!isObject(raw)) continue;
    const own = typeof raw.Condition === 'string' ? raw.Condition : undefined;
    const scope: Scope = { holds: own ? new Set([own]) : none, logicalId: name, inConditions: false };
    if (raw.Condition !== undefined) walker.condition(raw.Condition, `Outputs.${name}.Condition`, scope);
    walker.visit(raw.Value, `Outputs.${name}.Value`, scope);
    if (raw.Export !== undefined) walker.visit(raw.Export, `Outputs.${name}.Export`, scope);
  }
  for (const name of Object.keys(walker.parameters)) {
    if (!walker.usedParameters.has(name)) {
      ctx.report('parameter-unused', `Parameter ${name} is declared but never used`, { path: `Parameters.${name}` });
    }
  }
  for (const name of Object.keys(walker.conditions)) {
    if (!walker.usedConditions.has(name)) {
      ctx.report('condition-unused', `Condition ${name} is declared but never used`, { path: `Conditions.${name}` });
    }
  }
  checkParametersPassed(ctx, walker.parameters);
};
