// `sentinel jwt mint`: a token for trying the gateway. Only the token goes to stdout so that
// TOKEN=$(npx sentinel-api jwt mint) works; everything else goes to stderr.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { envName } from '../../../core/config/knob';
import { JWT_ALGORITHMS, type JwtAlgorithm } from '../../../core/jwt/algorithms';
import { loadConfig } from '../../../core/config/load';
import { durationType } from '../../../core/config/value-types';
import { mintToken, type SigningKey } from '../../jwt/mint';
import { ErrorCode, UsageError } from '../../../core/shared/errors';
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

function signingKey(flags: MintFlags, secret: string | undefined, cwd: string): SigningKey {
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
  throw new UsageError('No signing key: set a shared secret or pass a private key', {
    code: ErrorCode.JwtKeyMissing,
    hint: `Set ${envName('jwtSecretKey')} (in the environment or .env), or pass --private-key FILE`,
  });
}

export function registerJwtCommand(program: Command, ctx: CliContext): void {
  const jwt = program.command('jwt').description('JSON Web Token helpers for testing the gateway');
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
      const algorithm = flags.alg ?? (key.kind === 'secret' ? config.values.jwtAlgorithm : undefined);
      const claims = flags.claim.reduce<Record<string, unknown>>((acc, c) => parseClaim(c, acc), {});
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
