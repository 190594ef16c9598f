// CloudFormation YAML: the short-form intrinsic tags (`!Ref`, `!Sub`, `!GetAtt`, ...) parsed into the
// long form CloudFormation accepts in JSON, plus the renderer's own `!Generated` placeholder.
import type { CollectionTag, ScalarTag } from 'yaml';
import { isMap, isSeq, parse, YAMLError } from 'yaml';
import { ErrorCode, SentinelError } from '../../core/shared/errors';

/** A value the renderer computes from the schema (environment lists, secrets); see slots.ts. */
export class GeneratedSlot {
  constructor(readonly name: string) {}
}

export const GENERATED_TAG = '!Generated';

/** Short-form tag -> long-form key. `!Ref` and `!Condition` are not `Fn::` functions. */
const LONG_FORM: Record<string, string> = {
  Ref: 'Ref',
  Condition: 'Condition',
  Sub: 'Fn::Sub',
  GetAtt: 'Fn::GetAtt',
  Join: 'Fn::Join',
  If: 'Fn::If',
  Equals: 'Fn::Equals',
  Not: 'Fn::Not',
  And: 'Fn::And',
  Or: 'Fn::Or',
  Select: 'Fn::Select',
  Split: 'Fn::Split',
  FindInMap: 'Fn::FindInMap',
  Base64: 'Fn::Base64',
  GetAZs: 'Fn::GetAZs',
  ImportValue: 'Fn::ImportValue',
  Cidr: 'Fn::Cidr',
};

export const SHORT_FORM_TAGS: readonly string[] = Object.keys(LONG_FORM).map((name) => `!${name}`);

function scalarValue(name: string, value: string): unknown {
  // `!GetAtt Resource.Attribute` splits at the first dot only: attributes such as
  // `PrimaryEndPoint.Address` contain dots themselves.
  if (name === 'GetAtt') {
    const dot = value.indexOf('.');
    return { [LONG_FORM[name]!]: dot === -1 ? [value] : [value.slice(0, dot), value.slice(dot + 1)] };
  }
  return { [LONG_FORM[name]!]: value };
}

function tagsFor(name: string): Array<ScalarTag | CollectionTag> {
  const key = LONG_FORM[name]!;
  const tag = `!${name}`;
  return [
    { tag, resolve: (value: string) => scalarValue(name, value) },
    {
      tag,
      collection: 'seq',
      resolve: (seq) => ({ [key]: isSeq(seq) ? seq.toJSON() : seq }),
    },
    {
      tag,
      collection: 'map',
      resolve: (map) => ({ [key]: isMap(map) ? map.toJSON() : map }),
    },
  ];
}

const generatedTag: ScalarTag = {
  tag: GENERATED_TAG,
  resolve: (value: string) => new GeneratedSlot(value.trim()),
};

export const CFN_TAGS: Array<ScalarTag | CollectionTag> = [
  ...Object.keys(LONG_FORM).flatMap(tagsFor),
  generatedTag,
];

/**
 * Parses CloudFormation YAML into plain JSON-compatible data. YAML 1.2 core schema, so `yes`/`no`
 * stay strings (CloudFormation itself treats them as strings too); quote versions such as '7.1'.
 */
export function parseCfnYaml(text: string, file: string): Record<string, unknown> {
  let data: unknown;
  try {
    data = parse(text, { customTags: CFN_TAGS, schema: 'core', prettyErrors: true, uniqueKeys: true });
  } catch (error) {
    const detail = error instanceof YAMLError ? error.message : String(error);
    throw new SentinelError(ErrorCode.TemplateInvalid, `Cannot parse ${file}: ${detail}`, {
      hint: 'Fix the YAML syntax; CloudFormation short-form tags (!Ref, !Sub, ...) are supported.',
      cause: error,
    });
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new SentinelError(ErrorCode.TemplateInvalid, `${file} is not a YAML mapping`, {
      hint: 'A template fragment is a mapping with Resources, Conditions, Outputs, ...',
    });
  }
  return data as Record<string, unknown>;
}
