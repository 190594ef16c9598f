// `sentinel init`: writes a working .env from a few answers (prompted in a terminal, or given as
// flags). Never overwrites an existing file without asking, never prints the secret it generates.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { envName, PRESETS, type Preset } from '../../../core/config/knob';
import { publicKeyType } from '../../../core/config/value-types';
import {
  type AuthChoice,
  checkAnswer,
  generateSecret,
  type InitAnswers,
  renderEnvFile,
} from '../../init/env-file';
import { ErrorCode, UsageError } from '../../../core/shared/errors';
import type { CliContext } from '../context';
import { commonOptions } from '../options';

type AuthKind = AuthChoice['kind'];

interface InitFlags {
  upstream?: string;
  auth?: AuthKind;
  publicKeyFile?: string;
  jwksUrl?: string;
  preset?: Preset;
  region?: string;
  alertEmail?: string;
  output: string;
  force?: boolean;
  yes?: boolean;
  json?: boolean;
}

function must(key: Parameters<typeof checkAnswer>[0], raw: string, flag: string): string {
  const checked = checkAnswer(key, raw);
  if (!checked.ok) throw new UsageError(`${flag} ${checked.message}`);
  return checked.value;
}

function readPublicKey(file: string, cwd: string): string {
  let text: string;
  try {
    text = readFileSync(resolve(cwd, file), 'utf8');
  } catch (error) {
    throw new UsageError(`Cannot read the public key file ${file}`, {
      code: ErrorCode.JwtKeyMissing,
      cause: error,
    });
  }
  const parsed = publicKeyType().parse(text);
  if (!parsed.ok)
    throw new UsageError(`${file} ${parsed.problem}`, { code: ErrorCode.JwtKeyInvalid, hint: parsed.hint });
  return parsed.value;
}

/** A prompt's inline check; its message names the field, as the flags' errors do. */
const validator =
  (key: Parameters<typeof checkAnswer>[0], field: string, optional = false) =>
  (value: string) => {
    if (optional && value.trim() === '') return undefined;
    const checked = checkAnswer(key, value.trim());
    return checked.ok ? undefined : `${field} ${checked.message}`;
  };

async function ask(flags: InitFlags, ctx: CliContext): Promise<InitAnswers> {
  const { ui } = ctx;
  const upstream =
    flags.upstream ??
    (await ui.text({
      message: 'URL of the API to protect',
      placeholder: 'https://api.example.com',
      validate: validator('upstreamBaseUrl', 'the URL'),
    }));
  const auth =
    flags.auth ??
    (await ui.select<AuthKind>('How do clients get their tokens?', [
      {
        value: 'jwks',
        label: 'From an identity provider with a JWKS URL',
        hint: 'recommended: Auth0, Cognito, Okta, Entra...',
      },
      {
        value: 'secret',
        label: 'Signed with a shared secret (HS256)',
        hint: 'a strong one is generated for you',
      },
      {
        value: 'public-key',
        label: 'Signed with a private key; verify with its public key file',
        hint: 'RS/PS/ES/EdDSA',
      },
    ]));
  let authChoice: AuthChoice;
  if (auth === 'jwks') {
    const url =
      flags.jwksUrl ??
      (await ui.text({
        message: 'JWKS URL',
        placeholder: 'https://YOUR_TENANT/.well-known/jwks.json',
        validate: validator('jwtJwksUrl', 'the JWKS URL'),
      }));
    authChoice = { kind: 'jwks', url: must('jwtJwksUrl', url.trim(), '--jwks-url') };
  } else if (auth === 'public-key') {
    const file =
      flags.publicKeyFile ??
      (await ui.text({
        message: 'Path of the public key file (PEM or JWK)',
        validate: (v) => (v.trim() ? undefined : 'the path is empty: enter the path of the key file'),
      }));
    authChoice = { kind: 'public-key', pem: readPublicKey(file.trim(), ctx.cwd) };
  } else {
    authChoice = { kind: 'secret', secret: generateSecret() };
  }
  const preset =
    flags.preset ??
    (await ui.select<Preset>('Preset', [
      { value: 'cost', label: 'cost', hint: '1 small task, 100-request bursts, 1 req/s sustained per user' },
      {
        value: 'performance',
        label: 'performance',
        hint: '2+ larger tasks, 300-request bursts, 5 req/s per user',
      },
    ]));
  const region =
    flags.region ??
    (await ui.text({
      message: 'AWS region (empty: your AWS profile default)',
      placeholder: 'us-east-1',
      validate: validator('awsRegion', 'the region', true),
    }));
  const alertEmail =
    flags.alertEmail ??
    (await ui.text({
      message: 'Email for anomaly alerts (optional)',
      placeholder: 'security@example.com',
      validate: validator('alertEmail', 'the email', true),
    }));
  return {
    upstreamBaseUrl: must('upstreamBaseUrl', upstream.trim(), '--upstream'),
    auth: authChoice,
    preset,
    region: region.trim() ? must('awsRegion', region.trim(), '--region') : undefined,
    alertEmail: alertEmail.trim() ? must('alertEmail', alertEmail.trim(), '--alert-email') : undefined,
  };
}

function answersFromFlags(flags: InitFlags, ctx: CliContext): InitAnswers {
  if (!flags.upstream) {
    throw new UsageError('--upstream is required when not running in a terminal', {
      hint: 'e.g. sentinel init --upstream https://api.example.com --auth secret',
    });
  }
  const auth = flags.auth ?? (flags.jwksUrl ? 'jwks' : flags.publicKeyFile ? 'public-key' : 'secret');
  let authChoice: AuthChoice;
  if (auth === 'jwks') {
    if (!flags.jwksUrl) throw new UsageError('--auth jwks needs --jwks-url URL');
    authChoice = { kind: 'jwks', url: must('jwtJwksUrl', flags.jwksUrl, '--jwks-url') };
  } else if (auth === 'public-key') {
    if (!flags.publicKeyFile) throw new UsageError('--auth public-key needs --public-key-file FILE');
    authChoice = { kind: 'public-key', pem: readPublicKey(flags.publicKeyFile, ctx.cwd) };
  } else {
    authChoice = { kind: 'secret', secret: generateSecret() };
  }
  return {
    upstreamBaseUrl: must('upstreamBaseUrl', flags.upstream, '--upstream'),
    auth: authChoice,
    preset: flags.preset ?? 'cost',
    region: flags.region ? must('awsRegion', flags.region, '--region') : undefined,
    alertEmail: flags.alertEmail ? must('alertEmail', flags.alertEmail, '--alert-email') : undefined,
  };
}

export function registerInitCommand(program: Command, ctx: CliContext): void {
  program
    .command('init')
    .description('Create a .env for SentinelAPI by answering a few questions (or with flags)')
    .option('--upstream <url>', 'URL of the API to protect (required without a terminal)')
    .addOption(
      new Option('--auth <method>', 'how tokens are verified').choices(['jwks', 'secret', 'public-key']),
    )
    .option('--jwks-url <url>', 'JWKS URL of your identity provider (with --auth jwks)')
    .option('--public-key-file <file>', 'PEM or JWK public key file (with --auth public-key)')
    .addOption(new Option('--preset <preset>', 'sizing and limits preset').choices(PRESETS))
    .option('--region <region>', 'AWS region to deploy to')
    .option('--alert-email <email>', 'email subscribed to anomaly alerts')
    .option('-o, --output <file>', 'file to write', '.env')
    .option('--force', 'overwrite an existing file without asking')
    .addOption(commonOptions.yes())
    .addOption(commonOptions.json())
    .addHelpText(
      'after',
      `
In a terminal, init asks for what flags do not give. Without a terminal (CI), --yes and --upstream are
required and --auth defaults to a generated shared secret.

Examples:
  $ npx sentinel-api init
  $ sentinel init --upstream https://api.example.com --auth jwks --jwks-url https://idp.example.com/.well-known/jwks.json
  $ sentinel init --upstream https://api.example.com --auth secret --preset cost --yes`,
    )
    .action(async (flags: InitFlags) => {
      const { ui } = ctx;
      if (!ui.interactive && !flags.yes) {
        throw new UsageError('Not a terminal, so init cannot ask: nothing was written', {
          hint: 'Pass --yes with the answers as flags, e.g. sentinel init --upstream https://api.example.com --yes',
        });
      }
      const target = resolve(ctx.cwd, flags.output);
      const interactive = ui.interactive && !flags.yes;
      if (existsSync(target) && !flags.force) {
        const overwrite = interactive && (await ui.confirm(`${flags.output} exists. Replace it?`));
        if (!overwrite) {
          throw new UsageError(`${flags.output} already exists; nothing was written`, {
            hint: 'Pass --force to replace it, or -o FILE to write elsewhere',
          });
        }
      }
      const answers = interactive ? await ask(flags, ctx) : answersFromFlags(flags, ctx);
      const temp = `${target}.${process.pid}.tmp`;
      // Owner-only: the file may hold the JWT secret. Written then renamed so a crash leaves no half file.
      writeFileSync(temp, renderEnvFile(answers), { mode: 0o600 });
      renameSync(temp, target);
      const next: Array<[command: string, why: string]> = [
        ['npx sentinel-api config', 'check the resolved settings'],
        ['npx sentinel-api dev', 'try it locally (no AWS needed)'],
        ...(answers.auth.kind === 'secret'
          ? [['npx sentinel-api jwt mint', 'mint a token for testing'] as [string, string]]
          : []),
        ['npx sentinel-api plan --dry-run', 'see what a deploy creates and what it costs'],
        ['npx sentinel-api deploy', 'deploy it into your AWS account'],
      ];
      const summary = {
        file: flags.output,
        upstream: answers.upstreamBaseUrl,
        auth: answers.auth.kind,
        preset: answers.preset,
        region: answers.region ?? null,
        alertEmail: answers.alertEmail ?? null,
        next: next.map(([command]) => command),
      };
      if (flags.json) {
        ui.json(summary);
        return;
      }
      ui.success(`Wrote ${flags.output}`);
      ui.table(
        ['SETTING', 'VALUE'],
        [
          [envName('upstreamBaseUrl'), answers.upstreamBaseUrl],
          [envName('optimizeFor'), answers.preset],
          [
            'JWT verification',
            answers.auth.kind === 'secret'
              ? `generated secret in ${envName('jwtSecretKey')}`
              : answers.auth.kind,
          ],
          ...(answers.region ? [[envName('awsRegion'), answers.region]] : []),
          ...(answers.alertEmail ? [[envName('alertEmail'), answers.alertEmail]] : []),
        ],
      );
      ui.out('\nNext:');
      for (const [command, why] of next) ui.out(`  ${command.padEnd(34)}${why}`);
    });
}
