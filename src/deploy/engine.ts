// What every stack operation receives: AWS, time, the terminal-free ways to report and ask, and
// Ctrl-C as abort signals. The CLI and the library API each build one; tests build one with mocks.
import type { AwsClients } from './aws-clients';
import type { ChangeRow, DestructiveChange } from './change-table';
import type { Clock, PollIntervals } from './clock';
import type { CommandRunner } from './command-runner';
import type { ProgressCallback } from './events';
import type { GatewayImages } from './images';
import type { BundlePaths } from './package-root';
import type { FailedResource } from './root-cause';

/** Everything the engine may ask before it acts; the CLI asks in a terminal, the API decides by option. */
export type Question =
  | { kind: 'execute'; stackName: string; changes: ChangeRow[]; destructive: DestructiveChange[] }
  | { kind: 'recreate'; stackName: string; rootCause: FailedResource[] }
  | { kind: 'delete'; stackName: string; region: string }
  | { kind: 'retain'; stackName: string; resources: FailedResource[] }
  /** `teardown --delete-data`: the retained tables (physical names) to delete with their data. */
  | { kind: 'delete-data'; stackName: string; tables: string[] };

export interface EngineContext {
  clients: AwsClients;
  clock: Clock;
  intervals: PollIntervals;
  runner: CommandRunner;
  paths: BundlePaths;
  /** Image registries (check, build, push). @default registryImages */
  images?: GatewayImages;
  onProgress: ProgressCallback;
  /** Resolves true to go ahead. */
  confirm: (question: Question) => Promise<boolean>;
  /** First Ctrl-C: stop the operation (cancel an update, delete a half-made create). */
  signal?: AbortSignal;
  /** Second Ctrl-C: stop waiting and leave the stack to finish on its own. */
  detachSignal?: AbortSignal;
}

/** Commands a user can paste to continue where the engine stopped. */
export function commandFor(
  sub: 'deploy' | 'status' | 'teardown',
  target: { stackName: string; region: string; mode?: string },
  extra = '',
): string {
  const mode = target.mode && sub === 'deploy' ? ` --mode ${target.mode}` : '';
  return `sentinel ${sub}${mode} --stack-name ${target.stackName} --region ${target.region}${extra ? ` ${extra}` : ''}`;
}
