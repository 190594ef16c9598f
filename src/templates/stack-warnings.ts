// What a deploy of a mode and config is allowed to do but should not do silently: each warning is a
// config issue (the variable to set and how) with a stable code, shown once by `plan` and `deploy`
// and carried as data in their --json output.
import { envName } from '../../core/config/knob';
import type { ConfigIssue } from '../../core/config/issues';
import type { Config } from '../../core/config/schema';
import type { StackMode } from './types';

export const STACK_WARNING_CODES = ['plain-http'] as const;
export type StackWarningCode = (typeof STACK_WARNING_CODES)[number];

export interface StackWarning extends ConfigIssue {
  code: StackWarningCode;
}

export function stackWarnings(mode: StackMode, config: Config): StackWarning[] {
  const warnings: StackWarning[] = [];
  if (mode === 'full' && config.certificateArn === undefined) {
    warnings.push({
      code: 'plain-http',
      variable: envName('certificateArn'),
      problem:
        'is not set: the load balancer serves plain HTTP only, so bearer tokens (and every request and response) cross the network in clear',
      hint: `request or import an ACM certificate for your domain in the deploy region, then set ${envName('certificateArn')} to its ARN and ${envName('domainName')} to the domain (a CNAME to the AlbDnsName output); plain HTTP then redirects to HTTPS`,
    });
  }
  return warnings;
}
