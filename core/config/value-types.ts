// Value types for configuration knobs: each parses one raw string into a typed value or explains,
// without echoing the value, what is wrong. Parsers are pure; they never see where a value came from.
import { AWS_REGIONS } from './aws-regions';
import { editDistance } from './suggest';

export type ParseResult<T> = { ok: true; value: T } | { ok: false; problem: string; hint: string };

/**
 * What a value type accepts, as data: CloudFormation parameters declare it (Type Number with
 * MinValue/MaxValue, AllowedValues, AllowedPattern), so direct use of a template fails early too.
 */
export type ValueConstraint =
  | { kind: 'number'; min: number; max: number; integer: boolean }
  | { kind: 'one-of'; values: readonly string[] }
  | { kind: 'pattern'; pattern: RegExp; maxLength: number }
  | { kind: 'text'; maxLength: number };

export interface ValueType<T> {
  /** Short human description used in docs and error hints, e.g. "whole number 1-10000". */
  readonly describe: string;
  parse(raw: string): ParseResult<T>;
  /** Back to the string form used in `.env` files and CloudFormation parameters. */
  format(value: T): string;
  /** What the formatted value may be, when it can be said as data. */
  readonly constraint?: ValueConstraint;
}

const ok = <T>(value: T): ParseResult<T> => ({ ok: true, value });
const fail = <T>(problem: string, hint: string): ParseResult<T> => ({ ok: false, problem, hint });

export function stringType(
  options: { pattern?: RegExp; patternHint?: string; maxLength?: number } = {},
): ValueType<string> {
  const { pattern, patternHint = 'use the documented format', maxLength = 4096 } = options;
  return {
    constraint: pattern ? { kind: 'pattern', pattern, maxLength } : { kind: 'text', maxLength },
    describe: patternHint === 'use the documented format' ? 'text' : patternHint,
    parse(raw) {
      if (raw.length > maxLength) return fail(`is longer than ${maxLength} characters`, `shorten it`);
      if (pattern && !pattern.test(raw)) return fail('has the wrong format', patternHint);
      return ok(raw);
    },
    format: (value) => value,
  };
}

export function intType(options: { min: number; max: number }): ValueType<number> {
  const { min, max } = options;
  return {
    constraint: { kind: 'number', min, max, integer: true },
    describe: `whole number ${min}-${max}`,
    parse(raw) {
      if (!/^-?\d+$/.test(raw.trim()))
        return fail('is not a whole number', `use a whole number from ${min} to ${max}`);
      const value = Number(raw.trim());
      if (value < min || value > max)
        return fail(`is out of range`, `use a whole number from ${min} to ${max}`);
      return ok(value);
    },
    format: (value) => String(value),
  };
}

export function numberType(options: { min: number; max: number }): ValueType<number> {
  const { min, max } = options;
  return {
    constraint: { kind: 'number', min, max, integer: false },
    describe: `number ${min}-${max}`,
    parse(raw) {
      const trimmed = raw.trim();
      const value = Number(trimmed);
      if (trimmed === '' || !Number.isFinite(value))
        return fail('is not a number', `use a number from ${min} to ${max}`);
      if (value < min || value > max) return fail('is out of range', `use a number from ${min} to ${max}`);
      return ok(value);
    },
    format: (value) => String(value),
  };
}

export function enumType<const V extends string>(values: readonly V[]): ValueType<V> {
  return {
    constraint: { kind: 'one-of', values },
    describe: values.join(' | '),
    parse(raw) {
      const value = raw.trim().toLowerCase();
      return (values as readonly string[]).includes(value)
        ? ok(value as V)
        : fail(`is not one of ${values.join(', ')}`, `use one of: ${values.join(', ')}`);
    },
    format: (value) => value,
  };
}

/** Case-sensitive enum, for identifiers such as JWT algorithms where case is part of the name. */
export function exactEnumType<const V extends string>(values: readonly V[]): ValueType<V> {
  return {
    constraint: { kind: 'one-of', values },
    describe: values.join(' | '),
    parse(raw) {
      const value = raw.trim();
      return (values as readonly string[]).includes(value)
        ? ok(value as V)
        : fail(`is not one of ${values.join(', ')}`, `use one of: ${values.join(', ')}`);
    },
    format: (value) => value,
  };
}

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

export function booleanType(): ValueType<boolean> {
  return {
    constraint: { kind: 'one-of', values: ['true', 'false'] },
    describe: 'true | false',
    parse(raw) {
      const value = raw.trim().toLowerCase();
      if (TRUE.has(value)) return ok(true);
      if (FALSE.has(value)) return ok(false);
      return fail('is not a boolean', 'use true or false');
    },
    format: (value) => String(value),
  };
}

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/i;
const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };

/** A duration in seconds; accepts plain seconds ("30") or a unit ("30s", "15m", "2h", "7d"). */
export function durationType(options: { min: number; max: number }): ValueType<number> {
  const { min, max } = options;
  const range = `${formatDuration(min)} to ${formatDuration(max)}`;
  return {
    // The formatted value is plain seconds.
    constraint: { kind: 'number', min, max, integer: false },
    describe: `seconds, or 30s/15m/2h/7d (${range})`,
    parse(raw) {
      const match = DURATION.exec(raw.trim());
      if (!match) return fail('is not a duration', `use seconds (e.g. 300) or a unit: 30s, 15m, 2h, 7d`);
      const seconds = Number(match[1]) * UNIT_SECONDS[(match[2] ?? 's').toLowerCase()]!;
      if (seconds < min || seconds > max) return fail('is out of range', `use a duration from ${range}`);
      return ok(seconds);
    },
    format: (value) => String(value),
  };
}

export function formatDuration(seconds: number): string {
  if (seconds >= 86400 && seconds % 86400 === 0) return `${seconds / 86400}d`;
  if (seconds >= 3600 && seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds >= 60 && seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export interface UrlTypeOptions {
  protocols: readonly string[];
  /** Require https, except for loopback hosts (local development). */
  httpsUnlessLoopback?: boolean;
}

/** A URL without credentials; the value keeps no trailing slash so joins are predictable. */
export function urlType(options: UrlTypeOptions): ValueType<string> {
  const schemes = options.protocols.map((p) => p.replace(/:$/, ''));
  return {
    describe: `${schemes.join(' or ')} URL`,
    parse(raw) {
      let url: URL;
      const text = raw.trim();
      // "api.example.com" or "localhost:3000": a host without a scheme, the commonest slip.
      if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text) && /^[\w.-]+(:\d+)?(\/|$)/.test(text)) {
        return fail(
          'has no scheme',
          `write it with the scheme: ${schemes.includes('https') ? 'https' : schemes[0]}://${text}`,
        );
      }
      try {
        url = new URL(text);
      } catch {
        return fail('is not a valid URL', `use an absolute URL such as ${schemes[0]}://host/path`);
      }
      if (!options.protocols.includes(url.protocol)) {
        return fail(`uses ${url.protocol.replace(/:$/, '')}`, `use a ${schemes.join(' or ')} URL`);
      }
      if (url.username || url.password) {
        return fail(
          'contains credentials',
          'remove the user:password part; credentials do not belong in URLs',
        );
      }
      if (options.httpsUnlessLoopback && url.protocol !== 'https:' && !isLoopbackHost(url.hostname)) {
        return fail('is not https', 'use https (plain http is allowed only for localhost/127.0.0.1)');
      }
      if (url.hash) return fail('contains a #fragment', 'remove the #fragment');
      return ok(url.toString().replace(/\/+$/, ''));
    },
    format: (value) => value,
  };
}

/** A comma-separated list of items, each checked by `item`. */
export function listType<T>(item: ValueType<T>): ValueType<T[]> {
  return {
    describe: `comma-separated list of ${item.describe}`,
    parse(raw) {
      const parts = raw
        .split(',')
        .map((p) => p.trim())
        .filter((p) => p !== '');
      const values: T[] = [];
      for (const [index, part] of parts.entries()) {
        const parsed = item.parse(part);
        if (!parsed.ok) return fail(`item ${index + 1} ${parsed.problem}`, parsed.hint);
        values.push(parsed.value);
      }
      return ok(values);
    },
    format: (values) => values.map((v) => item.format(v)).join(','),
  };
}

const PEM = /^-----BEGIN ([A-Z ]+)-----\r?\n[A-Za-z0-9+/=\r\n]+-----END \1-----\s*$/;

/**
 * A public key as PEM (SPKI or certificate) or as a JSON JWK. Environment files often carry PEMs
 * with literal "\n" sequences, so those are unescaped first.
 */
export function publicKeyType(): ValueType<string> {
  return {
    describe: 'PEM public key or JSON JWK',
    parse(raw) {
      const text = raw.trim().replace(/\\n/g, '\n');
      if (text.startsWith('{')) {
        try {
          const jwk = JSON.parse(text) as Record<string, unknown>;
          if (typeof jwk.kty !== 'string')
            return fail('is a JSON object without "kty"', 'use a JWK with kty');
          if ('d' in jwk) return fail('is a private JWK', 'use the public part only (no "d")');
          return ok(text);
        } catch {
          return fail('is not valid JSON', 'use a PEM block or a JSON JWK');
        }
      }
      const match = PEM.exec(text);
      if (!match)
        return fail('is not a PEM block', 'use "-----BEGIN PUBLIC KEY-----..." (\\n for newlines is fine)');
      if (match[1]!.includes('PRIVATE')) return fail('is a private key', 'use the public key only');
      return ok(text);
    },
    format: (value) => value.replace(/\n/g, '\\n'),
  };
}

/** An AWS region from the SDK's partition table; a near miss gets a "did you mean". */
export function regionType(): ValueType<string> {
  const known: readonly string[] = AWS_REGIONS;
  return {
    describe: 'an AWS region such as us-east-1',
    parse(raw) {
      const value = raw.trim().toLowerCase();
      if (known.includes(value)) return ok(value);
      let best = known[0]!;
      for (const region of known) if (editDistance(value, region) < editDistance(value, best)) best = region;
      return fail(
        'is not an AWS region',
        editDistance(value, best) <= 3
          ? `did you mean ${best}?`
          : 'use a region code such as us-east-1 or eu-west-1',
      );
    },
    format: (value) => value,
  };
}
