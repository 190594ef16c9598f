// `sentinel jwt mint`: a token for trying the gateway. Only the token goes to stdout so that
// TOKEN=$(npx sentinel-api jwt mint) works; everything else goes to stderr. With no key configured,
// a `sentinel dev` running in this folder mints it (its generated secret never leaves that process).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { envName } from '../../../core/config/knob';
import { isHmac, JWT_ALGORITHMS, type JwtAlgorithm } from '../../../core/jwt/algorithms';
import { loadConfig } from '../../../core/config/load';
import { durationType } from '../../../core/config/value-types';
import { mintToken, type SigningKey } from '../../jwt/mint';
import { ErrorCode, SentinelError, UsageError } from '../../../core/shared/errors';
import { callControl, type DevMintResult } from '../../dev/control-server';
import { readDevState } from '../../dev/state-file';
import { acceptedHmacAlgorithms } from '../../jwt/accepted-algorithms';
import type { CliContext } from '../context';
import { commonOptions, configSources, knobOption } from '../options';

interface MintFlags {
  sub: string;
  ttl: string;
  alg?: JwtAlgorithm;
  privateKey?: string;
  kid?: string;
  issuer?: string;
  audience?: string;
  claim: string[];
  envFile?: string;
}

const ttlType = durationType({ min: 1, max: 366 * 86400 });

/** `key=value`, where value is JSON when it parses as JSON (numbers, booleans, arrays) and text otherwise. */
export function parseClaim(text: string, claims: Record<string, unknown> = {}): Record<string, unknown> {
  const eq = text.indexOf('=');
  if (eq <= 0)
    throw new UsageError(`--claim "${text}" is not key=value`, {
      hint: 'e.g. --claim role=admin --claim tier=2',
    });
  const raw = text.slice(eq + 1);
  let value: unknown = raw;
  try {
    value = JSON.parse(raw);
  } catch {
    // Plain text value.
  }
  return { ...claims, [text.slice(0, eq)]: value };
}

function signingKey(flags: MintFlags, secret: string | undefined, cwd: string): SigningKey | undefined {
  if (flags.privateKey) {
    let pem: string;
    try {
      pem = readFileSync(resolve(cwd, flags.privateKey), 'utf8');
    } catch (error) {
      throw new UsageError(`Cannot read --private-key ${flags.privateKey}`, {
        code: ErrorCode.JwtKeyMissing,
        hint: 'Pass the path of a PEM private key file',
        cause: error,
      });
    }
    return { kind: 'private-key', pem };
  }
  if (secret !== undefined) return { kind: 'secret', secret };
  return undefined;
}

const noSigningKey = () =>
  new UsageError('No signing key: set a shared secret, pass a private key, or start `sentinel dev` here', {
    code: ErrorCode.JwtKeyMissing,
    hint: `Set ${envName('jwtSecretKey')} (in the environment or .env), pass --private-key FILE, or run \`npx sentinel-api dev\` in this folder first`,
  });

/** The token, minted by the running dev stack with its own secret (which never leaves it). */
async function mintWithDevStack(
  ctx: CliContext,
  flags: MintFlags,
  ttlSeconds: number,
  claims: Record<string, unknown>,
): Promise<string> {
  const state = readDevState(ctx.cwd);
  if (!state || state.secretSource === 'none') throw noSigningKey();
  ctx.ui.info(
    ctx.ui.errColors.dim(`minted by the dev stack at ${state.gatewayUrl} (no signing key configured here)`),
  );
  let minted: DevMintResult;
  try {
    minted = await callControl<DevMintResult>(state, '/mint', {
      sub: flags.sub,
      ttlSeconds,
      ...(flags.alg ? { alg: flags.alg } : {}),
      ...(flags.kid ? { kid: flags.kid } : {}),
      claims,
    });
  } catch (error) {
    throw new SentinelError(
      ErrorCode.JwtKeyMissing,
      `The dev stack could not mint a token: ${(error as Error).message}`,
      {
        hint: 'Is `sentinel dev` still running in this folder? Restart it, or set a signing key',
        cause: error,
        exitCode: 2,
      },
    );
  }
  if (flags.alg) warnIfRefused(ctx, flags.alg, minted.accepted);
  return minted.token;
}

/** Said before the token is used: the gateway answers only "Invalid token" to the client. */
function warnIfRefused(ctx: CliContext, algorithm: JwtAlgorithm, accepted: readonly string[]): void {
  // A secret cannot sign other families; minting itself refuses those with its own message.
  if (!isHmac(algorithm) || accepted.includes(algorithm)) return;
  ctx.ui.warn(
    `the gateway accepts ${accepted.join(', ') || 'no HMAC algorithm'} for its shared secret and will refuse this ${algorithm} token (reason algorithm_not_allowed); allow it with ${envName('jwtAlgorithms')}`,
  );
}

export function registerJwtCommand(program: Command, ctx: CliContext): void {
  const jwt = program
    .command('jwt')
    .description('JSON Web Token helpers for testing the gateway')
    .addHelpText(
      'after',
      `
Examples:
  $ TOKEN=$(npx sentinel-api jwt mint)
  $ sentinel jwt mint --sub alice --ttl 15m
  $ sentinel jwt mint --help`,
    );
  jwt
    .command('mint')
    .description('Mint a signed token for testing (prints only the token)')
    .option('--sub <subject>', 'subject: the user id the gateway rate-limits and blocks by', 'demo-user')
    .option('--ttl <duration>', 'lifetime: seconds or 30s/15m/2h/7d', '1h')
    .addOption(
      new Option(
        '--alg <algorithm>',
        'signing algorithm (default: the configured one for a secret, the key’s own for --private-key)',
      ).choices(JWT_ALGORITHMS),
    )
    .option('--private-key <file>', 'PEM private key for RS*/PS*/ES*/EdDSA tokens')
    .option('--kid <id>', 'key id header (for JWKS setups)')
    .addOption(knobOption('jwtIssuer', '--issuer <iss>'))
    .addOption(knobOption('jwtAudience', '--audience <aud>'))
    .option(
      '--claim <key=value>',
      'extra claim, repeatable; JSON values allowed',
      (v: string, acc: string[]) => [...acc, v],
      [],
    )
    .addOption(commonOptions.envFile())
    .addHelpText(
      'after',
      `
Examples:
  $ TOKEN=$(npx sentinel-api jwt mint)
  $ sentinel jwt mint --sub alice --ttl 15m --claim role=admin --claim 'scopes=["read","write"]'
  $ sentinel jwt mint --private-key ./jwt-private.pem --kid key-2026 --audience my-api
  $ curl -H "Authorization: Bearer $TOKEN" http://localhost:8000/auth/verify`,
    )
    .action(async (flags: MintFlags) => {
      const ttl = ttlType.parse(flags.ttl);
      if (!ttl.ok) throw new UsageError(`--ttl ${ttl.problem}`, { hint: ttl.hint });
      // Only what minting needs is validated: no upstream is required to mint a token.
      const config = loadConfig({ ...configSources(flags, ctx), scope: 'cli', require: [] });
      for (const warning of config.warnings)
        ctx.ui.warn(`${warning.variable} ${warning.problem}: ${warning.hint}`);
      const key = signingKey(flags, config.values.jwtSecretKey, ctx.cwd);
      const claims = flags.claim.reduce<Record<string, unknown>>((acc, c) => parseClaim(c, acc), {});
      if (!key) {
        // With no key here, a running `sentinel dev` (the zero-config quick start) mints with its own.
        ctx.ui.out(await mintWithDevStack(ctx, flags, ttl.value, claims));
        return;
      }
      const algorithm = flags.alg ?? (key.kind === 'secret' ? config.values.jwtAlgorithm : undefined);
      if (key.kind === 'secret' && algorithm)
        warnIfRefused(ctx, algorithm, acceptedHmacAlgorithms(config.values));
      const token = await mintToken({
        key,
        algorithm,
        subject: flags.sub,
        ttlSeconds: ttl.value,
        issuer: config.values.jwtIssuer,
        audience: config.values.jwtAudience,
        keyId: flags.kid,
        claims,
      });
      ctx.ui.out(token);
    });
}
