// `sentinel validate`: render the stacks for the resolved config and check them offline (AWS
// resource spec, value limits, references, security rules). No AWS call, no credentials: fit for CI.
// Exit 0 clean, 1 with issues, 2 on a configuration or usage error. The renderer and validator load
// only when the command runs, so `sentinel --help` stays fast.
import { type Command, Option } from 'commander';
import { loadConfig } from '../../../core/config/load';
import type { TemplateIssue } from '../../templates';
import { STACK_MODES, type StackMode } from '../../templates/types';
import type { CliContext } from '../context';
import { commonOptions, configSources, knobOption } from '../options';

const MODE_CHOICES = [...STACK_MODES, 'all'] as const;

interface ValidateFlags {
  mode: (typeof MODE_CHOICES)[number];
  json?: boolean;
  envFile?: string;
  preset?: string;
}

interface ModeResult {
  mode: StackMode;
  valid: boolean;
  resources: number;
  parameters: number;
  bodyBytes: number;
  issues: TemplateIssue[];
}

export function registerValidateCommand(program: Command, ctx: CliContext): void {
  program
    .command('validate')
    .description('Check the CloudFormation templates for your configuration offline, before a deploy')
    .addOption(new Option('--mode <mode>', 'which stack to check').choices(MODE_CHOICES).default('all'))
    .addOption(commonOptions.envFile())
    .addOption(commonOptions.json())
    .addOption(knobOption('optimizeFor', '--preset <preset>'))
    .addHelpText(
      'after',
      `
Checks each rendered template against the AWS resource specification (types, properties,
required properties, attributes, scalar types and enums), the value limits of the properties the
stacks use (ranges, CIDR blocks, schedules, Fargate CPU/memory pairs, Lambda runtime lifecycle),
unknown intrinsic functions, its internal references and parameters (values against their declared
constraints), and SentinelAPI's security rules (NoEcho secrets, no secrets in environments,
security groups, IAM, encryption).

Exit codes: 0 valid, 1 issues found, 2 configuration or usage error.

Examples:
  $ sentinel validate
  $ sentinel validate --mode full --json
  $ sentinel validate --env-file deploy/prod.env`,
    )
    .action(async (flags: ValidateFlags) => {
      const config = loadConfig({ ...configSources(flags, ctx), scope: 'template' });
      const [{ formatTemplateIssue, renderStack, validateStack }, { offlineAssets }] = await Promise.all([
        import('../../templates'),
        import('../../templates/offline-assets'),
      ]);
      const modes: StackMode[] = flags.mode === 'all' ? [...STACK_MODES] : [flags.mode];
      const results: ModeResult[] = modes.map((mode) => {
        const stack = renderStack(mode, config.values, offlineAssets(config.values));
        const issues = validateStack(stack);
        return {
          mode,
          valid: issues.length === 0,
          resources: Object.keys(stack.template.Resources as object).length,
          parameters: stack.parameters.length,
          bodyBytes: Buffer.byteLength(stack.body),
          issues,
        };
      });
      const valid = results.every((r) => r.valid);
      if (flags.json) {
        ctx.ui.json({ valid, preset: config.preset, stacks: results });
      } else {
        for (const result of results) {
          if (result.valid) {
            ctx.ui.success(
              `${result.mode}: valid (${result.resources} resources, ${result.parameters} parameters, ${result.bodyBytes} bytes)`,
            );
          } else {
            ctx.ui.error(
              `${result.mode}: ${result.issues.length} issue${result.issues.length === 1 ? '' : 's'}`,
            );
            for (const issue of result.issues) ctx.ui.out(`  ${formatTemplateIssue(issue)}`);
          }
        }
      }
      if (!valid) process.exitCode = 1;
    });
}
