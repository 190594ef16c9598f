// CloudFormation's hard limits, checked before a deploy hits them.
import type { Check } from './issue';
import { section } from './view';

/** TemplateBody sent inline; larger templates must be uploaded to S3 (TemplateURL, up to 1 MB). */
export const TEMPLATE_BODY_LIMIT_BYTES = 51_200;
const LIMITS = { Resources: 500, Parameters: 200, Outputs: 200 } as const;

export const limitsCheck: Check = (ctx) => {
  if (ctx.body !== undefined) {
    const bytes = Buffer.byteLength(ctx.body, 'utf8');
    if (bytes > TEMPLATE_BODY_LIMIT_BYTES) {
      ctx.report(
        'template-limit',
        `Template body is ${bytes} bytes, over the ${TEMPLATE_BODY_LIMIT_BYTES}-byte TemplateBody limit; upload it to S3 and pass TemplateURL`,
      );
    }
  }
  for (const [name, limit] of Object.entries(LIMITS)) {
    const count = Object.keys(section(ctx.template, name)).length;
    if (count > limit) ctx.report('template-limit', `${count} ${name}, over CloudFormation's limit of ${limit}`, { path: name });
  }
};
