// What `sentinel init` writes: a .env built from a few answers, each validated by the same schema
// types the resolver uses. Pure: generating the secret and touching files happen in the command.
import { randomBytes } from 'node:crypto';
import type { Preset } from '../../core/config/knob';
import { envName } from '../../core/config/knob';
import type { ConfigKey } from '../../core/config/schema';
import { knobFor } from '../../core/config/schema';

export type AuthChoice =
  { kind: 'secret'; secret: string } | { kind: 'public-key'; pem: string } | { kind: 'jwks'; url: string };

export interface InitAnswers {
  upstreamBaseUrl: string;
  auth: AuthChoice;
  preset: Preset;
  region?: string;
  alertEmail?: string;
}

/** A strong HS256-512 secret: 48 random bytes, 64 base64url characters (over the 64-byte HS512 minimum). */
export function generateSecret(): string {
  return randomBytes(48).toString('base64url');
}

/** Checks one answer with the knob's own type: a message to show, or the normalised value. */
export function checkAnswer(
  key: ConfigKey,
  raw: string,
): { ok: true; value: string } | { ok: false; message: string } {
  const knob = knobFor(key);
  const parsed = knob.type.parse(raw);
  if (!parsed.ok) return { ok: false, message: `${parsed.problem}: ${parsed.hint}` };
  return { ok: true, value: knob.type.format(parsed.value) };
}

function quote(value: string): string {
  // dotenv neither unescapes quotes nor backslashes: double quotes turn a PEM's \n into newlines,
  // single quotes keep anything else (including a double quote) literal.
  return value.includes('"') ? `'${value}'` : `"${value}"`;
}

function line(key: ConfigKey, value: string): string {
  return `${envName(key)}=${/^[A-Za-z0-9_.:/@+=-]*$/.test(value) ? value : quote(value)}`;
}

export function renderEnvFile(answers: InitAnswers, now: Date = new Date()): string {
  const lines = [
    `# Written by \`sentinel init\` on ${now.toISOString().slice(0, 10)}. Keep this file out of version control.`,
    '# Every setting is documented in .env.example and in docs/configuration.md; `npx sentinel-api config` shows the result.',
    '',
    line('upstreamBaseUrl', answers.upstreamBaseUrl),
    line('optimizeFor', answers.preset),
  ];
  if (answers.region) lines.push(line('awsRegion', answers.region));
  if (answers.alertEmail) lines.push(line('alertEmail', answers.alertEmail));
  lines.push('');
  switch (answers.auth.kind) {
    case 'secret':
      lines.push('# Shared secret for HS256 tokens: mint test tokens with `npx sentinel-api jwt mint`.');
      lines.push(line('jwtSecretKey', answers.auth.secret));
      break;
    case 'public-key':
      lines.push('# Public key that verifies your identity provider’s tokens.');
      lines.push(line('jwtPublicKey', knobFor('jwtPublicKey').type.format(answers.auth.pem)));
      break;
    case 'jwks':
      lines.push('# JWKS endpoint of your identity provider; tokens are verified by their kid.');
      lines.push(line('jwtJwksUrl', answers.auth.url));
      break;
  }
  return `${lines.join('\n')}\n`;
}
