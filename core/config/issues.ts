// Configuration problems as data, and the error that carries all of them at once.
import { ErrorCode, SentinelError } from '../shared/errors';
import type { ValueSource } from './sources';

export interface ConfigIssue {
  /** The variable to fix, e.g. SENTINEL_API_UPSTREAM_BASE_URL. */
  variable: string;
  /** What is wrong, never containing a secret value. */
  problem: string;
  /** How to fix it. */
  hint: string;
  source?: ValueSource;
}

export function formatIssue(issue: ConfigIssue): string {
  const from = issue.source ? ` (from ${describeSource(issue.source)})` : '';
  return `${issue.variable}${from} ${issue.problem}: ${issue.hint}`;
}

export function describeSource(source: ValueSource): string {
  switch (source.kind) {
    case 'explicit':
      return source.name ?? 'argument';
    case 'env':
      return source.name && source.alias ? `environment ${source.name}` : 'environment';
    case 'dotenv':
      return source.name && source.alias ? `${source.file} ${source.name}` : (source.file ?? '.env');
    case 'preset':
      return `preset ${source.preset}`;
    case 'default':
      return 'default';
    case 'unset':
      return 'unset';
  }
}

export class ConfigError extends SentinelError {
  override readonly name = 'ConfigError';
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    super(
      ErrorCode.ConfigInvalid,
      `Configuration has ${count}:\n${issues.map((i) => `  - ${formatIssue(i)}`).join('\n')}`,
      {
        hint: 'Set the variables in your shell or in .env (see .env.example), or pass them as flags.',
        exitCode: 2,
      },
    );
    this.issues = issues;
  }
}
