// Every taggable resource carries the product and stack tags (the renderer adds them; this catches
// a fragment or a hand-edited template that lost them).
import { missingStandardTags, TAGS_NOT_IN_EVERY_REGION } from '../tags';
import type { Check } from './issue';
import { resources } from './view';

export const tagsCheck: Check = (ctx) => {
  for (const resource of resources(ctx.template)) {
    if (!resource.type) continue;
    if (TAGS_NOT_IN_EVERY_REGION.has(resource.type) && resource.properties.Tags !== undefined) {
      ctx.report('tags-unsupported', `${resource.type} has no Tags property in some regions' registry schema`, {
        logicalId: resource.id,
        path: `${resource.path}.Properties.Tags`,
      });
    }
    const missing = missingStandardTags(resource.type, resource.properties);
    if (missing.length > 0) {
      ctx.report('tags-missing', `${resource.id} lacks tag ${missing.join(', ')}`, {
        logicalId: resource.id,
        path: `${resource.path}.Properties`,
      });
    }
  }
};
