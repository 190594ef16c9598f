// `sentinel config`: the resolved configuration with each value's source, secrets redacted, and
// every problem at once (exit 2) so a user can fix a whole .env in one pass.
import type { Command } from 'commander';
import { formatIssue } from '../../../core/config/issues';
import { inspectConfig } from '../../../core/config/load';
import { configRows, redactIssue, type ConfigRow } from '../../../core/config/redact';
import type { ResolvedConfig } from '../../../core/config/resolve';
import { REQUIREMENTS_OF } from '../../../core/config/rules';
import type { CliContext } from '../context';
import { commonOptions, configSources, knobOption } from '../options';

export function registerConfigCommand(program: Command, ctx: CliContext): void {
  program
    .command('config')
    .description(
      'Show the resolved configuration: every setting, its value (secrets redacted) and its source',
    )
    .addOption(commonOptions.envFile())
    .addOption(commonOptions.json())
    .addOption(knobOption('optimizeFor', '--preset <preset>'))
    .option('--set-only', 'show only settings that are not defaults')
    .option('--wide', 'show long values in full instead of fitting the terminal')
    .addHelpText(
      'after',
      `
Precedence: flags > environment > .env > preset > default.

Examples:
  $ sentinel config
  $ sentinel config --preset performance --json
  $ sentinel config --env-file deploy/prod.env --set-only
  $ sentinel config --wide             # long values (a PEM key) in full`,
    )
    .action((options: { envFile?: string; json?: boolean; setOnly?: boolean; wide?: boolean }) => {
      // Validate as deploy would: the gateway and template settings must be complete.
      const result = inspectConfig({ ...configSources(options, ctx), require: REQUIREMENTS_OF.template });
      const rows = configRows(result.config)
        .filter(
          (row) =>
            !options.setOnly ||
            (!['default', 'unset'].includes(row.source) && !row.source.startsWith('preset')),
        )
        .map((row) => withoutUnusedAlgorithm(row, result.config));
      const issues = result.issues.map(redactIssue);
      const config = { ...result.config, warnings: result.config.warnings.map(redactIssue) };
      if (options.json) {
        ctx.ui.json({ preset: config.preset, settings: rows, issues, warnings: config.warnings });
      } else {
        ctx.ui.table(
          ['SETTING', 'VALUE', 'SOURCE'],
          rows.map((r) => [r.variable, r.value ?? '-', r.source]),
          { wide: options.wide },
        );
        for (const warning of config.warnings) ctx.ui.warn(formatIssue(warning));
        if (issues.length > 0) {
          ctx.ui.error(`configuration has ${issues.length} problem${issues.length === 1 ? '' : 's'}:`);
          for (const issue of issues) ctx.ui.info(`  - ${formatIssue(issue)}`);
        }
      }
      if (issues.length > 0) process.exitCode = 2;
    });
}

/** The algorithm knob signs and verifies with the shared secret only: without one it does nothing. */
function withoutUnusedAlgorithm(row: ConfigRow, config: ResolvedConfig): ConfigRow {
  if (row.key !== 'jwtAlgorithm' || config.values.jwtSecretKey !== undefined) return row;
  const origin = config.sources.jwtAlgorithm.kind;
  if (origin !== 'default' && origin !== 'preset') return row;
  return { ...row, value: undefined, source: 'unused: no shared secret' };
}
