// `sentinel synth [--out DIR]`: the CloudFormation template and parameters deploy would submit, for
// a mode and settings, rendered offline (no AWS call, no credentials). Without --out the template
// body goes to stdout, as deploy sends it; with --out, the template and a parameters file are
// written there. The engine and the templates load only when the command runs.
import { resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { loadConfig } from '../../../core/config/load';
import { REQUIREMENTS_OF } from '../../../core/config/rules';
import { UsageError } from '../../../core/shared/errors';
import type { CliContext } from '../context';
import { stackNameOf, stackOptions, type StackFlags } from '../deploy-options';
import { engineDeps } from '../engine-deps';
import { commonOptions, configSources, knobOption } from '../options';

interface SynthFlags extends StackFlags {
  out?: string;
  account?: string;
  imageUri?: string;
  preset?: string;
}

export function registerSynthCommand(program: Command, ctx: CliContext): void {
  // The stack-target options of plan and deploy, less --profile: synth makes no AWS call.
  program
    .command('synth')
    .description('Write the CloudFormation template and parameters deploy would submit, offline')
    .addOption(stackOptions.mode())
    .addOption(stackOptions.stackName())
    .addOption(knobOption('awsRegion', '--region <region>'))
    .addOption(commonOptions.envFile())
    .addOption(knobOption('gatewayImageUri', '--image-uri <uri>'))
    .addOption(knobOption('optimizeFor', '--preset <preset>'))
    .option('--out <dir>', 'write <stack>.template.json and <stack>.parameters.json here')
    .addOption(
      new Option('--account <id>', 'AWS account id, for the artifacts bucket name (no AWS call is made)'),
    )
    .addOption(commonOptions.json())
    .addHelpText(
      'after',
      `
The template is byte for byte the TemplateBody deploy submits. Secret parameters are never
written: their entries say UsePreviousValue. Lint the output with other tools, e.g. cfn-lint.

Examples:
  $ sentinel synth > template.json
  $ sentinel synth --out cdk.out --account 123456789012 --region eu-west-1
  $ sentinel synth --mode foundation --out out && cfn-lint out/*.template.json`,
    )
    .action(async (flags: SynthFlags) => {
      if (flags.account !== undefined && !/^\d{12}$/.test(flags.account)) {
        throw new UsageError(`--account ${JSON.stringify(flags.account)} is not an AWS account id`, {
          hint: 'Pass the 12-digit id, e.g. --account 123456789012 (aws sts get-caller-identity shows it)',
        });
      }
      const config = loadConfig({
        ...configSources(flags, ctx),
        scope: 'template',
        require: REQUIREMENTS_OF.template,
      });
      const [{ synthStack, writeSynth }, { bundlePaths, findPackageRoot }] = await Promise.all([
        import('../../deploy/synth'),
        import('../../deploy/package-root'),
      ]);
      const result = synthStack(
        { mode: flags.mode, stackName: stackNameOf(flags), config, account: flags.account },
        bundlePaths(engineDeps.packageRoot ?? findPackageRoot()),
      );
      if (!flags.out) {
        ctx.ui.stdout.write(`${result.body}\n`);
        for (const note of result.placeholders) ctx.ui.warn(`the parameters hold a placeholder ${note}`);
        return;
      }
      const files = writeSynth(result, resolve(ctx.cwd, flags.out));
      const summary = {
        mode: result.mode,
        stackName: result.stackName,
        files,
        bodyBytes: Buffer.byteLength(result.body),
        secretsOmitted: result.secretsOmitted,
        placeholders: result.placeholders,
        image: result.image,
      };
      if (flags.json) return ctx.ui.json({ event: 'result', ...summary });
      ctx.ui.success(
        `${result.mode} stack ${result.stackName}: wrote ${files.template} (${summary.bodyBytes} bytes)`,
      );
      ctx.ui.out(`  parameters: ${files.parameters}`);
      if (result.secretsOmitted.length > 0)
        ctx.ui.out(`  not written (UsePreviousValue): ${result.secretsOmitted.join(', ')}`);
      for (const note of result.placeholders) ctx.ui.warn(`the parameters hold a placeholder ${note}`);
    });
}
