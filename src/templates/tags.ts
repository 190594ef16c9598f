// Every taggable resource carries the product and stack tags, so costs and ownership show in the
// console and Cost Explorer. Which types take tags, and in which shape, comes from the AWS spec.
import { tagInformation } from './spec';
import type { CfnTemplate } from './types';

export const PRODUCT_TAG = { key: 'sentinel-api:product', value: 'sentinel-api' } as const;
export const STACK_TAG_KEY = 'sentinel-api:stack';

/**
 * Types the AWS spec lists as taggable whose CloudFormation registry schema lacks `Tags` in some
 * regions: stack creation fails there on an unknown property, so these are never tagged.
 */
export const TAGS_NOT_IN_EVERY_REGION: ReadonlySet<string> = new Set([
  'AWS::ElasticLoadBalancingV2::Listener',
  'AWS::ApplicationAutoScaling::ScalableTarget',
]);

/** How a type carries tags in every region, or undefined when it cannot be tagged everywhere. */
export function taggable(type: string): ReturnType<typeof tagInformation> {
  return TAGS_NOT_IN_EVERY_REGION.has(type) ? undefined : tagInformation(type);
}

/** The tags every resource gets: key -> value (the stack name is resolved by CloudFormation). */
export function standardTags(): Array<[string, unknown]> {
  return [
    [PRODUCT_TAG.key, PRODUCT_TAG.value],
    [STACK_TAG_KEY, { Ref: 'AWS::StackName' }],
  ];
}

function tagKeysOf(value: unknown): Set<string> {
  if (Array.isArray(value)) {
    return new Set(value.map((t) => (t as { Key?: unknown }).Key).filter((k) => typeof k === 'string'));
  }
  if (value && typeof value === 'object') return new Set(Object.keys(value));
  return new Set();
}

/** Adds the standard tags to every taggable resource in place, keeping tags a fragment set itself. */
export function applyStandardTags(template: CfnTemplate): void {
  const resources = (template.Resources ?? {}) as Record<string, { Type: string; Properties?: object }>;
  for (const resource of Object.values(resources)) {
    const info = taggable(resource.Type);
    if (!info) continue;
    const properties = (resource.Properties ??= {}) as Record<string, unknown>;
    const existing = properties[info.tagPropertyName];
    const present = tagKeysOf(existing);
    const missing = standardTags().filter(([key]) => !present.has(key));
    if (info.variant === 'map') {
      properties[info.tagPropertyName] = {
        ...(existing as object | undefined),
        ...Object.fromEntries(missing),
      };
    } else {
      const extra = missing.map(([Key, Value]) =>
        info.variant === 'asg' ? { Key, Value, PropagateAtLaunch: true } : { Key, Value },
      );
      properties[info.tagPropertyName] = [...((existing as unknown[] | undefined) ?? []), ...extra];
    }
  }
}

/** Tag keys missing on a resource, for validation ([] when complete or the type is not taggable). */
export function missingStandardTags(type: string, properties: Record<string, unknown> | undefined): string[] {
  const info = taggable(type);
  if (!info) return [];
  const present = tagKeysOf(properties?.[info.tagPropertyName]);
  return standardTags()
    .map(([key]) => key)
    .filter((key) => !present.has(key));
}
