// Renders a stack: the mode's fragments merged (full = foundation + gateway, never a second copy),
// `!Generated` slots filled, parameters declared from the schema, tags added; then the parameter
// values for one resolved config. The template body depends on the mode only, so a config change
// reaches CloudFormation as parameter changes, never as a template diff.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../../core/config/schema';
import { ErrorCode, SentinelError, UsageError } from '../../core/shared/errors';
import { VERSION } from '../../core/version';
import { evaluateCondition } from './conditions';
import { secretsFragment, tablesFragment } from './generated-fragments';
import { referencedNames } from './intrinsics';
import { declareParameters, parameterValues } from './parameters';
import { SLOTS } from './slots';
import { applyStandardTags } from './tags';
import { templatesDir } from './templates-dir';
import type { CfnTemplate, RenderedStack, StackAssets, StackMode, StackResource } from './types';
import { STACK_MODES } from './types';
import { GeneratedSlot, parseCfnYaml } from './yaml';

interface Fragment {
  /** Shown in validation issues: the file (or code) to edit. */
  name: string;
  load(): CfnTemplate;
}

const MERGED_SECTIONS = ['Conditions', 'Mappings', 'Resources', 'Outputs'] as const;

function yamlFragment(file: string): Fragment {
  const name = `templates/${file}`;
  return { name, load: () => parseCfnYaml(readFileSync(join(templatesDir(), file), 'utf8'), name) };
}

const FOUNDATION: readonly Fragment[] = [
  yamlFragment('foundation.yaml'),
  { name: 'core/shared/tables.ts', load: tablesFragment },
];

const MODE_FRAGMENTS: Record<StackMode, readonly Fragment[]> = {
  foundation: FOUNDATION,
  full: [
    ...FOUNDATION,
    yamlFragment('gateway.yaml'),
    { name: 'src/templates/generated-fragments.ts', load: secretsFragment },
  ],
};

function merge(fragments: readonly Fragment[]) {
  const merged: Record<string, Record<string, unknown>> = {};
  const sources: Record<string, string> = {};
  for (const fragment of fragments) {
    const data = fragment.load();
    for (const [section, entries] of Object.entries(data)) {
      if (!(MERGED_SECTIONS as readonly string[]).includes(section)) {
        throw new SentinelError(ErrorCode.TemplateInvalid, `${fragment.name} has a ${section} section`, {
          hint:
            section === 'Parameters'
              ? 'Parameters are derived from the config schema: add a knob with the template consumer instead.'
              : `Fragments may hold ${MERGED_SECTIONS.join(', ')} only.`,
        });
      }
      const target = (merged[section] ??= {});
      for (const [key, value] of Object.entries(entries as Record<string, unknown>)) {
        if (key in target) {
          throw new SentinelError(
            ErrorCode.TemplateInvalid,
            `${section}.${key} is defined in both ${sources[`${section}.${key}`]} and ${fragment.name}`,
            { hint: 'Define each resource once; the full stack already includes the foundation.' },
          );
        }
        target[key] = value;
        sources[`${section}.${key}`] = fragment.name;
      }
    }
  }
  return { merged, sources };
}

function fill(value: unknown): unknown {
  if (value instanceof GeneratedSlot) {
    const slot = SLOTS[value.name];
    if (!slot) {
      throw new SentinelError(ErrorCode.TemplateInvalid, `Unknown !Generated slot "${value.name}"`, {
        hint: `Use one of: ${Object.keys(SLOTS).join(', ')}`,
      });
    }
    return slot();
  }
  if (Array.isArray(value)) {
    // A slot inside a sequence contributes its items (e.g. one IAM statement per secret).
    return value.flatMap((item) => {
      const filled = fill(item);
      return item instanceof GeneratedSlot && Array.isArray(filled) ? filled : [filled];
    });
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v)]));
  }
  return value;
}

interface BuiltTemplate {
  template: CfnTemplate;
  sources: Record<string, string>;
}

const built = new Map<StackMode, BuiltTemplate>();

function assertMode(mode: string): asserts mode is StackMode {
  if (!(STACK_MODES as readonly string[]).includes(mode)) {
    throw new UsageError(`Unknown stack mode "${mode}"`, { hint: `Use one of: ${STACK_MODES.join(', ')}` });
  }
}

/** The template of a mode, independent of any config (cached; callers get their own copy). */
export function buildTemplate(mode: StackMode): BuiltTemplate {
  assertMode(mode);
  let entry = built.get(mode);
  if (!entry) {
    const { merged, sources } = merge(MODE_FRAGMENTS[mode]);
    const body = fill(merged) as Record<string, Record<string, unknown>>;
    const template: CfnTemplate = {
      AWSTemplateFormatVersion: '2010-09-09',
      Description: `SentinelAPI ${mode} stack (sentinel-api ${VERSION})`,
      Metadata: { SentinelApi: { mode, version: VERSION } },
      Parameters: declareParameters(referencedNames(body)),
      ...body,
    };
    applyStandardTags(template);
    entry = { template, sources };
    built.set(mode, entry);
  }
  return structuredClone(entry);
}

export function renderStack(mode: StackMode, config: Config, assets: StackAssets): RenderedStack {
  const { template, sources } = buildTemplate(mode);
  const declared = (template.Parameters ?? {}) as Record<string, unknown>;
  return {
    mode,
    template,
    body: JSON.stringify(template),
    parameters: parameterValues(declared, mode, config, assets),
    sources,
  };
}

/**
 * The resources a mode creates, for `plan --dry-run`. With a config, conditional resources say
 * whether that config creates them (e.g. the HTTPS listener only with a certificate).
 */
export function stackResources(mode: StackMode, config?: Config): StackResource[] {
  const { template } = buildTemplate(mode);
  const declared = (template.Parameters ?? {}) as Record<string, unknown>;
  const values = config
    ? new Map(parameterValues(declared, mode, config, undefined).map((p) => [p.key, p.value]))
    : undefined;
  const resources = template.Resources as Record<string, { Type: string; Condition?: string }>;
  return Object.entries(resources).map(([logicalId, resource]) => {
    const entry: StackResource = { logicalId, type: resource.Type };
    if (resource.Condition) {
      entry.condition = resource.Condition;
      if (values) entry.created = evaluateCondition(template, resource.Condition, values);
    } else if (values) {
      entry.created = true;
    }
    return entry;
  });
}
