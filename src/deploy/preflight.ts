// Checks that cost seconds instead of a rollback: who the credentials belong to, whether the
// template renders and passes offline validation, and what state the stack is in now.
import type { Stack } from '@aws-sdk/client-cloudformation';
import type { Config } from '../../core/config/schema';
import { ErrorCode, SentinelError } from '../../core/shared/errors';
import {
  formatTemplateIssue,
  renderStack,
  validateStack,
  type RenderedStack,
  type StackAssets,
  type StackMode,
} from '../templates';
import type { CloudFormationApi, StsApi } from './aws-clients';
import { isNotFound } from './aws-clients';
import { awsFailure } from './aws-error';
import type { Clock } from './clock';

export interface Identity {
  account: string;
  /** The principal: a user, a role session, ... */
  arn: string;
}

/** `_clock` stays for callers: retries happen in the client (see RETRY_BUDGET in aws-clients.ts). */
export async function callerIdentity(sts: StsApi, _clock: Clock): Promise<Identity> {
  try {
    const identity = await sts.getCallerIdentity({});
    return { account: identity.Account ?? '', arn: identity.Arn ?? '' };
  } catch (error) {
    if (error instanceof SentinelError) throw error;
    throw awsFailure(error);
  }
}

/** The stack as CloudFormation describes it, or undefined when there is none (`_clock`: see above). */
export async function describeStack(
  cfn: CloudFormationApi,
  stack: string,
  _clock: Clock,
): Promise<Stack | undefined> {
  try {
    const output = await cfn.describeStacks({ StackName: stack });
    return output.Stacks?.[0];
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

export function stackOutputs(stack: Stack | undefined): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (const o of stack?.Outputs ?? []) if (o.OutputKey) outputs[o.OutputKey] = o.OutputValue ?? '';
  return outputs;
}

/** The user-facing URL: the template's GatewayUrl output, else http:// + the load balancer's name. */
export function gatewayUrlOf(outputs: Record<string, string>): string | undefined {
  if (outputs.GatewayUrl) return outputs.GatewayUrl;
  return outputs.AlbDnsName ? `http://${outputs.AlbDnsName}` : undefined;
}

/** Renders and validates offline; a problem here is ours or the config's, never worth a deploy. */
export function renderValidated(mode: StackMode, config: Config, assets: StackAssets): RenderedStack {
  const rendered = renderStack(mode, config, assets);
  const issues = validateStack(rendered);
  if (issues.length > 0) {
    throw new SentinelError(
      ErrorCode.DeployTemplateInvalid,
      `The ${mode} template failed offline validation (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${issues
        .map((i) => `  - ${formatTemplateIssue(i)}`)
        .join('\n')}`,
      {
        hint: 'Run `sentinel plan --dry-run` for the full report; settings such as CPU/memory sizes must fit together',
      },
    );
  }
  return rendered;
}
