// Offline validation of a rendered stack: no network, no credentials. Runs every check and returns
// the issues (an empty list when clean), each naming the template, logical id, path and rule.
import type { RenderedStack, StackParameter } from '../types';
import { encryptionCheck } from './encryption';
import { iamCheck } from './iam';
import type { Check, CheckContext, TemplateIssue } from './issue';
import { limitsCheck } from './limits';
import { networkCheck } from './network';
import { parameterValueCheck } from './parameter-values';
import { referenceCheck } from './references';
import { secretsCheck } from './secrets';
import { specCheck } from './spec-check';
import { tagsCheck } from './tags-check';
import { valueCheck } from './value-check';

const checks = (now: () => Date): readonly Check[] => [
  specCheck,
  valueCheck(now),
  referenceCheck,
  parameterValueCheck,
  limitsCheck,
  secretsCheck,
  networkCheck,
  iamCheck,
  encryptionCheck,
  tagsCheck,
];

export interface ValidateTemplateInput {
  /** Shown as the issue's `template`: the stack mode or a fixture's file name. */
  name: string;
  template: Record<string, unknown>;
  /** The values deploy would pass; without them the passed-vs-declared checks are skipped. */
  parameters?: readonly StackParameter[];
  body?: string;
  /** Logical id -> fragment file, to name the file to edit. */
  sources?: Record<string, string>;
  /** When runtime lifecycles are judged. @default the current time */
  now?: () => Date;
}

export function validateTemplate(input: ValidateTemplateInput): TemplateIssue[] {
  const issues: TemplateIssue[] = [];
  const seen = new Set<string>();
  const context: CheckContext = {
    template: input.template,
    parameters: input.parameters
      ? new Map(input.parameters.map((p) => [p.key, { value: p.value, secret: p.secret }]))
      : undefined,
    body: input.body,
    report(rule, message, where = {}) {
      const logicalId = where.logicalId ?? where.path?.match(/^(?:Resources|Outputs)\.([^.[]+)/)?.[1];
      const issue: TemplateIssue = { template: input.name, rule, message };
      if (logicalId) issue.logicalId = logicalId;
      if (where.path) issue.path = where.path;
      const source =
        input.sources?.[`Resources.${logicalId}`] ??
        input.sources?.[`Outputs.${logicalId}`] ??
        input.sources?.[where.path?.split('.').slice(0, 2).join('.') ?? ''];
      if (source) issue.source = source;
      // Both branches of an Fn::If can report the same problem once each; keep one.
      const key = `${rule}|${issue.path}|${message}`;
      if (seen.has(key)) return;
      seen.add(key);
      issues.push(issue);
    },
  };
  for (const check of checks(input.now ?? (() => new Date()))) check(context);
  return issues;
}

export function validateStack(stack: RenderedStack): TemplateIssue[] {
  return validateTemplate({
    name: stack.mode,
    template: stack.template,
    parameters: stack.parameters,
    body: stack.body,
    sources: stack.sources,
  });
}
