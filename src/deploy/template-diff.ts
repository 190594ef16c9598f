// The template difference against the deployed stack, rendered the way `cdk diff` does by the
// package @aws-cdk/cloudformation-diff, as plain text (colour is the terminal's business).
import { Writable } from 'node:stream';
import type { Change } from '@aws-sdk/client-cloudformation';
import { formatDifferences, fullDiff } from '@aws-cdk/cloudformation-diff';
import { parseCfnYaml } from '../templates';
import type { CloudFormationApi } from './aws-clients';

// eslint-disable-next-line no-control-regex -- stripping ANSI colour escapes is the point
const ANSI = /\u001b\[[0-9;]*m/g;

export interface TemplateDiff {
  /** Human-readable diff; empty when the templates are the same. */
  text: string;
  differences: number;
  /** IAM or security group changes are among them. */
  securityChanges: boolean;
}

export function diffTemplates(
  current: Record<string, unknown>,
  next: Record<string, unknown>,
  changes?: Change[],
): TemplateDiff {
  // The package pins its own copy of the SDK types; the shape is the same DescribeChangeSet output.
  const changeSet = changes ? ({ Changes: changes } as unknown as Parameters<typeof fullDiff>[2]) : undefined;
  const diff = fullDiff(current, next, changeSet);
  let text = '';
  const sink = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      text += chunk.toString();
      callback();
    },
  });
  if (!diff.isEmpty) formatDifferences(sink, diff);
  return {
    text: text.replace(ANSI, ''),
    differences: diff.differenceCount,
    securityChanges: diff.permissionsAnyChanges || diff.securityGroupChanges.hasChanges,
  };
}

/** The template the stack was last deployed with ({} when there is none). */
export async function deployedTemplate(
  cfn: CloudFormationApi,
  stack: string,
): Promise<Record<string, unknown>> {
  const output = await cfn.getTemplate({ StackName: stack, TemplateStage: 'Original' });
  const body = output.TemplateBody;
  if (!body) return {};
  try {
    return JSON.parse(body) as Record<string, unknown>;
  } catch {
    // Stacks deployed by the original tool may hold YAML with short-form tags.
    return parseCfnYaml(body, `the deployed template of ${stack}`);
  }
}

export interface ParameterChange {
  key: string;
  /** undefined: the parameter is new. */
  from?: string;
  to: string;
}

/**
 * Parameter values that differ from the deployed stack's. Asset keys and image URIs change here, not
 * in the template, so a template diff alone would hide them. Secrets are skipped: CloudFormation
 * shows NoEcho values as asterisks, so they cannot be compared (and must not be printed).
 */
export function parameterChanges(
  deployed: ReadonlyArray<{ ParameterKey?: string; ParameterValue?: string }> | undefined,
  next: ReadonlyArray<{ key: string; value: string; secret: boolean }>,
): ParameterChange[] {
  const current = new Map((deployed ?? []).map((p) => [p.ParameterKey, p.ParameterValue]));
  return next
    .filter((p) => !p.secret && current.get(p.key) !== p.value)
    .map((p) => ({ key: p.key, ...(current.has(p.key) ? { from: current.get(p.key) } : {}), to: p.value }));
}
