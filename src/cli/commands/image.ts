// `sentinel image build|push`: the gateway image assembled in Node, no Docker. `build --oci-layout
// DIR` writes an OCI image layout (no AWS, no credentials: for inspection, CI and tests); `push`
// builds and pushes to the stack's ECR repository and prints the image pinned by digest. Deploy does
// both by itself; these are for looking at, or preparing, what it would run.
import { type Command, Option } from 'commander';
import { loadConfig } from '../../../core/config/load';
import { DEFAULT_STACK_NAMES } from '../../templates/types';
import type { CliContext } from '../context';
import { cliEngine, stackOptions } from '../deploy-options';
import { engineDeps } from '../engine-deps';
import { commonOptions, configSources, explicitFromOptions, knobOption } from '../options';

interface ImageFlags {
  baseImage?: string;
  architecture?: string;
  envFile?: string;
  json?: boolean;
}

const IMAGE_KNOB_FLAGS = {
  baseImage: 'gatewayBaseImage',
  architecture: 'taskArchitecture',
  region: 'awsRegion',
} as const;

function imageConfig(flags: ImageFlags, ctx: CliContext) {
  return loadConfig({
    ...configSources(flags, ctx),
    explicit: explicitFromOptions(flags as Record<string, unknown>, IMAGE_KNOB_FLAGS),
    scope: 'cli',
    require: [],
  });
}

function withImageOptions(command: Command): Command {
  return command
    .addOption(knobOption('gatewayBaseImage', '--base-image <reference>'))
    .addOption(knobOption('taskArchitecture', '--architecture <arch>').choices(['arm64', 'x86_64']))
    .addOption(commonOptions.envFile())
    .addOption(commonOptions.json());
}

export function registerImageCommand(program: Command, ctx: CliContext): void {
  const image = program
    .command('image')
    .description('Build the gateway image in Node (no Docker) as an OCI layout, or push it to ECR');

  withImageOptions(
    image
      .command('build')
      .description('Assemble the gateway image from its base and write it as an OCI image layout')
      .requiredOption('--oci-layout <dir>', 'directory to write the OCI image layout to'),
  )
    .addHelpText(
      'after',
      `
Needs no AWS account and no credentials, only the base image's registry (public by default).

Examples:
  $ sentinel image build --oci-layout ./gateway-image
  $ skopeo inspect oci:./gateway-image`,
    )
    .action(async (flags: ImageFlags & { ociLayout: string }) => {
      const config = imageConfig(flags, ctx);
      const [{ buildGatewayImage }, { writeOciLayout }, { bundlePaths, findPackageRoot }] = await Promise.all(
        [import('../../deploy/image'), import('../../image'), import('../../deploy/package-root')],
      );
      const built = await buildGatewayImage(
        config.values,
        bundlePaths(engineDeps.packageRoot ?? findPackageRoot()),
      );
      await writeOciLayout(flags.ociLayout, built);
      const result = {
        layout: flags.ociLayout,
        digest: built.manifest.digest,
        tag: built.tag,
        platform: `${built.platform.os}/${built.platform.architecture}`,
        base: built.base,
        layer: built.layer,
      };
      if (flags.json) return ctx.ui.json({ event: 'result', ...result });
      ctx.ui.success(`wrote the ${result.platform} gateway image to ${result.layout}`);
      ctx.ui.out(`digest  ${result.digest}`);
      ctx.ui.out(`tag     ${result.tag}`);
      ctx.ui.out(`base    ${result.base.reference} (${result.base.manifestDigest} for ${result.platform})`);
    });

  withImageOptions(
    image
      .command('push')
      .description("Build the gateway image and push it to the stack's ECR repository (<stack>-gateway)"),
  )
    .addOption(stackOptions.stackName())
    .addOption(knobOption('awsRegion', '--region <region>'))
    .addOption(stackOptions.profile())
    .addOption(new Option('--debug', 'print stack traces of errors'))
    .addHelpText(
      'after',
      `
Uploads only the blobs the repository lacks; an unchanged image costs a few requests.
Prints the image pinned by digest, as deploy puts it in the task definition.

Examples:
  $ sentinel image push --stack-name SentinelSdkFull --region eu-west-1
  $ sentinel image push --json | tail -1 | jq -r .uri`,
    )
    .action(async (flags: ImageFlags & { stackName?: string; profile?: string; region?: string }) => {
      const config = imageConfig(flags, ctx);
      const stackName = flags.stackName ?? DEFAULT_STACK_NAMES.full;
      const { buildGatewayImage, ecrRepositoryName, pushGatewayImage } = await import('../../deploy/image');
      const { engine, printer, release } = await cliEngine(
        ctx,
        { ...flags, mode: 'full', yes: true },
        config,
      );
      try {
        const built = await buildGatewayImage(config.values, engine.paths);
        const pushed = await pushGatewayImage({
          ecr: engine.clients.ecr,
          repositoryName: ecrRepositoryName(stackName),
          image: built,
          onProgress: (p) => printer.onProgress({ type: 'image-upload', ...p }),
        });
        printer.finish();
        const result = {
          uri: pushed.uri,
          tag: pushed.tag,
          platform: pushed.platform,
          base: pushed.base,
          unchanged: pushed.push.unchanged,
          uploadedBlobs: pushed.push.uploadedBlobs,
          uploadedBytes: pushed.push.uploadedBytes,
          repositoryCreated: pushed.repositoryCreated,
        };
        if (flags.json) return ctx.ui.json({ event: 'result', ...result });
        ctx.ui.success(
          result.unchanged
            ? `${result.uri} is already in ECR (nothing uploaded)`
            : `pushed ${result.uri} (${result.uploadedBlobs} blobs, ${result.uploadedBytes} bytes uploaded)`,
        );
        ctx.ui.out(result.uri);
      } finally {
        release();
        printer.finish();
      }
    });
}
