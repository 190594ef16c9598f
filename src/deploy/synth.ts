// `sentinel synth`: the template body and parameters deploy would submit to CloudFormation, rendered
// offline (no AWS call, no credentials) so they can be read, diffed or linted with other tools. The
// body is byte for byte what CreateChangeSet receives; secret values are never written: their
// parameters say UsePreviousValue instead, which an update of the deployed stack accepts.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ResolvedConfig } from '../../core/config/resolve';
import type { StackMode } from '../templates';
import type { BundlePaths } from './package-root';
import { renderFor, UNKNOWN_ACCOUNT } from './plan';

export interface SynthRequest {
  mode: StackMode;
  stackName: string;
  config: ResolvedConfig;
  /** Account whose artifacts bucket holds the detector bundle; a placeholder when unknown. */
  account?: string;
}

/** One entry of a CloudFormation parameters file (`aws cloudformation ... --parameters file://`). */
export type ParameterEntry =
  { ParameterKey: string; ParameterValue: string } | { ParameterKey: string; UsePreviousValue: true };

export interface SynthResult {
  mode: StackMode;
  stackName: string;
  /** The TemplateBody deploy submits (compact JSON). */
  body: string;
  parameters: ParameterEntry[];
  /** Parameters whose value is not written (secrets): UsePreviousValue stands in. */
  secretsOmitted: string[];
  /** Values that stand for what only AWS can tell (the account), when not given. */
  placeholders: string[];
  image: { source: string; uri: string };
}

export function synthStack(request: SynthRequest, paths: BundlePaths): SynthResult {
  const region = request.config.values.awsRegion ?? '<region>';
  const account = request.account ?? UNKNOWN_ACCOUNT;
  const { rendered, image } = renderFor(request, paths, account, region);
  const placeholders = [
    ...(request.account ? [] : [`account ${UNKNOWN_ACCOUNT} (pass --account)`]),
    ...(request.config.values.awsRegion ? [] : ['region <region> (pass --region)']),
  ];
  return {
    mode: request.mode,
    stackName: request.stackName,
    body: rendered.body,
    parameters: rendered.parameters.map((p) =>
      p.secret
        ? { ParameterKey: p.key, UsePreviousValue: true }
        : { ParameterKey: p.key, ParameterValue: p.value },
    ),
    secretsOmitted: rendered.parameters.filter((p) => p.secret).map((p) => p.key),
    placeholders,
    image,
  };
}

/** File names of a synthesized stack, by stack name, like `cdk synth`'s cdk.out. */
export function synthFiles(stackName: string) {
  return { template: `${stackName}.template.json`, parameters: `${stackName}.parameters.json` };
}

/** Writes the template (exact bytes) and the parameters file; returns the paths written. */
export function writeSynth(result: SynthResult, dir: string): { template: string; parameters: string } {
  const out = resolve(dir);
  mkdirSync(out, { recursive: true });
  const names = synthFiles(result.stackName);
  const template = join(out, names.template);
  const parameters = join(out, names.parameters);
  writeFileSync(template, result.body);
  writeFileSync(parameters, `${JSON.stringify(result.parameters, null, 2)}\n`);
  return { template, parameters };
}
