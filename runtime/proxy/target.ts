// Where a /proxy request goes: the upstream base URL joined with the raw path after /proxy and the
// query string, byte for byte. Anything that could leave the upstream's origin or base path once some
// server normalises it gets 400: dot segments by the path rule below (isDotSegment), empty segments
// (`//host`), backslashes, control and non-ASCII characters, and fragments.
import { ErrorCode, SentinelError } from '../../core/shared/errors';

export interface UpstreamBase {
  /** `http://host:port`, used to open the connection pool. */
  origin: string;
  /** Base path without a trailing slash ('' for the root). */
  basePath: string;
}

export function parseUpstreamBase(url: string): UpstreamBase {
  const parsed = new URL(url);
  if (parsed.search || parsed.hash) {
    throw new SentinelError(
      ErrorCode.ConfigInvalid,
      'SENTINEL_API_UPSTREAM_BASE_URL must not have a query or fragment',
      {
        hint: 'use only scheme, host, port and an optional base path',
      },
    );
  }
  return { origin: parsed.origin, basePath: parsed.pathname.replace(/\/+$/, '') };
}

export type TargetResult = { ok: true; path: string; endpoint: string } | { ok: false; problem: string };

const PROXY_PREFIX = '/proxy';

/**
 * Resolves the upstream request path from the raw request target (path and query as received).
 * `endpoint` is the path after /proxy without the query, for telemetry.
 */
export function resolveTarget(rawTarget: string, base: UpstreamBase): TargetResult {
  if (!rawTarget.startsWith(PROXY_PREFIX)) return { ok: false, problem: 'not a /proxy path' };
  const query = rawTarget.indexOf('?');
  const rawPath = query === -1 ? rawTarget : rawTarget.slice(0, query);
  const tail = rawPath.slice(PROXY_PREFIX.length);
  if (tail !== '' && tail[0] !== '/') return { ok: false, problem: 'not a /proxy path' };
  for (let i = 0; i < rawTarget.length; i++) {
    const code = rawTarget.charCodeAt(i);
    // Printable ASCII only: controls, DEL, spaces and raw non-ASCII bytes are not valid in a target.
    if (code <= 0x20 || code >= 0x7f) return { ok: false, problem: 'control or non-ASCII character' };
    if (code === 0x5c) return { ok: false, problem: 'backslash' };
    if (code === 0x23) return { ok: false, problem: 'fragment' };
  }
  if (rawTarget.indexOf('%') !== -1 && /%(?:[01][0-9a-f]|7f|5c)/i.test(rawTarget)) {
    return { ok: false, problem: 'encoded control character or backslash' };
  }
  // Segments are looked at only when one can be empty or a dot segment (most paths have neither a
  // `//`, a `.` nor a `%`): this runs on every request.
  if (tail.indexOf('//') !== -1 || tail.indexOf('.') !== -1 || tail.indexOf('%') !== -1) {
    const segments = tail.split('/');
    for (let i = 1; i < segments.length; i++) {
      const segment = segments[i]!;
      if (segment === '') {
        // A single trailing slash is an ordinary path; an empty segment elsewhere (`//`) is not.
        if (i === segments.length - 1) continue;
        return { ok: false, problem: 'empty path segment' };
      }
      if (isDotSegment(segment)) return { ok: false, problem: 'dot segment' };
    }
  }
  const path = `${base.basePath}${tail === '' ? '/' : tail}${query === -1 ? '' : rawTarget.slice(query)}`;
  return { ok: true, path, endpoint: tail === '' ? '/' : tail };
}

/**
 * Dot segments anywhere in a raw request path. The router only ever sees the URL after dot segments
 * were resolved (`/proxy/../admin` arrives as `/admin`), so this runs on the raw target of every
 * request: such a request is refused, not routed somewhere its author did not name.
 */
export function hasDotSegment(rawTarget: string): boolean {
  const query = rawTarget.indexOf('?');
  const path = query === -1 ? rawTarget : rawTarget.slice(0, query);
  if (path.indexOf('.') === -1 && path.indexOf('%') === -1) return false;
  return path.split('/').some(isDotSegment);
}

/**
 * The path rule (docs/gateway.md, "Paths"): a raw segment is decoded once; an encoded `/` splits it
 * (some upstreams decode %2F before resolving); each part loses a `;` parameter suffix (Tomcat, Jetty
 * and Spring read `..;x` as `..`); and it is refused when what is left is dots and spaces with at
 * least one dot (`.`, `..`, `...`, `.. `: Windows and IIS drop trailing dots and spaces), when it
 * holds an overlong UTF-8 sequence (`%c0%ae` is a dot to a lenient decoder), or when it still
 * holds an encoded dot after the decoding (`%252e`, a dot to a server that decodes twice).
 */
export function isDotSegment(segment: string): boolean {
  if (segment.indexOf('.') === -1 && segment.indexOf('%') === -1) return false;
  const decoded = decodeOnce(segment);
  if (decoded === undefined || OVERLONG.test(decoded) || DOUBLE_ENCODED_DOT.test(decoded)) return true;
  for (const part of decoded.split('/')) {
    const semicolon = part.indexOf(';');
    if (DOTS_AND_SPACES.test(semicolon === -1 ? part : part.slice(0, semicolon))) return true;
  }
  return false;
}

const HEX_PAIR = /^[0-9a-f]{2}$/i;
const DOTS_AND_SPACES = /^ *\.[. ]*$/;
const DOUBLE_ENCODED_DOT = /%2e/i;
/** Byte pairs that only an overlong UTF-8 encoding starts with (C0, C1; E0 80-9F; F0 80-8F). */
const OVERLONG = /[\xc0\xc1]|\xe0[\x80-\x9f]|\xf0[\x80-\x8f]/;

/** Percent-decodes once into one character per byte (latin1); undefined for a broken escape. */
function decodeOnce(segment: string): string | undefined {
  if (segment.indexOf('%') === -1) return segment;
  let out = '';
  for (let i = 0; i < segment.length; i++) {
    const ch = segment[i]!;
    if (ch !== '%') {
      out += ch;
      continue;
    }
    const hex = segment.slice(i + 1, i + 3);
    if (!HEX_PAIR.test(hex)) return undefined;
    out += String.fromCharCode(Number.parseInt(hex, 16));
    i += 2;
  }
  return out;
}

/** The same check as a thrown error, for callers that want one. */
export function badPath(problem: string): SentinelError {
  return new SentinelError(ErrorCode.GatewayBadPath, `Invalid proxy path: ${problem}`);
}
