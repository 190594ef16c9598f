// The shapes the deploy engine, `sentinel plan` and `sentinel validate` exchange with the renderer.
import type { ConfigKey } from '../../core/config/schema';

export const STACK_MODES = ['foundation', 'full'] as const;
export type StackMode = (typeof STACK_MODES)[number];

/** The original's stack names, kept so existing deployments are found. */
export const DEFAULT_STACK_NAMES: Record<StackMode, string> = {
  foundation: 'SentinelSdkFoundation',
  full: 'SentinelSdkFull',
};

/** What deploy uploaded or picked before rendering. */
export interface StackAssets {
  /** Artifacts bucket holding the detector bundle. */
  detectorCodeBucket: string;
  /** Key of the detector zip (its SHA-256), so unchanged code means no Lambda update. */
  detectorCodeKey: string;
  /** Image the gateway tasks run; required for `full`. */
  gatewayImageUri?: string;
}

export interface StackParameter {
  /** CloudFormation parameter name, e.g. `RateLimitCapacity`. */
  key: string;
  value: string;
  /** Never print `value`; CloudFormation receives it through a NoEcho parameter. */
  secret: boolean;
  /** The config knob behind the parameter; absent for assets. */
  configKey?: ConfigKey;
}

/** A CloudFormation template as plain data (the long form of every intrinsic function). */
export type CfnTemplate = Record<string, unknown>;

export interface RenderedStack {
  mode: StackMode;
  template: CfnTemplate;
  /** The text sent to CloudFormation (compact JSON: the TemplateBody limit is 51,200 bytes). */
  body: string;
  parameters: StackParameter[];
  /** Which fragment each logical id came from, so validation errors point at the file to edit. */
  sources: Record<string, string>;
}

export interface StackResource {
  logicalId: string;
  type: string;
  /** The template condition that decides whether it exists, e.g. `HasCertificateArn`. */
  condition?: string;
  /** With a config: whether the condition holds for it (undefined when it cannot be decided). */
  created?: boolean;
}
