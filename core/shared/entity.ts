// Who a block, an aggregate or a log line is about: a user (JWT subject) or a client IP (or, for a
// block, an IP range). The human form `user:<id>` / `ip:<addr>[/<len>]` and the DynamoDB key form
// `USER#<id>` / `IP#<addr>` are defined here only, with the canonical forms of both.
import { canonicalIp, parseCidr } from './ip';

export type EntityKind = 'user' | 'ip';
export interface Entity {
  kind: EntityKind;
  id: string;
}

const KEY_PREFIX: Record<EntityKind, string> = { user: 'USER#', ip: 'IP#' };

/** Longest user id, in UTF-16 code units (JavaScript string length). */
export const MAX_USER_ID_LENGTH = 256;

export type UserIdProblem = 'empty' | 'whitespace' | 'invisible' | 'too_long';
export type UserIdCheck = { ok: true; id: string } | { ok: false; problem: UserIdProblem };

/** Whitespace at either end (HTTP trims header values, so `alice ` would be forwarded as `alice`). */
const EDGE_SPACE = /^\s|\s$/u;
/** Control and format characters, line and paragraph separators, lone surrogates. */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;

/**
 * The canonical user id rule, the one used by the token verifier, `user:<id>` entities (blocklist,
 * allowlist) and everything else naming a user: not empty, no whitespace at either end, no control
 * or format character (zero-width space, bidi marks), no line or paragraph separator, at most
 * MAX_USER_ID_LENGTH. An id is taken exactly as given otherwise: no case folding, no trimming, so
 * that what is blocked is exactly what a token carries.
 */
export function checkUserId(id: string): UserIdCheck {
  if (id === '') return { ok: false, problem: 'empty' };
  if (id.length > MAX_USER_ID_LENGTH) return { ok: false, problem: 'too_long' };
  if (EDGE_SPACE.test(id)) return { ok: false, problem: 'whitespace' };
  if (INVISIBLE.test(id)) return { ok: false, problem: 'invisible' };
  return { ok: true, id };
}

const USER_ID_PROBLEMS: Record<UserIdProblem, string> = {
  empty: 'is empty',
  whitespace: 'starts or ends with whitespace',
  invisible: 'contains a control or invisible character or a line separator',
  too_long: `is longer than ${MAX_USER_ID_LENGTH} characters`,
};

/** What is wrong with a user id, for messages. */
export function describeUserIdProblem(problem: UserIdProblem): string {
  return USER_ID_PROBLEMS[problem];
}

export type EntityParse = { ok: true; entity: Entity } | { ok: false; problem: string };

/** Canonical text of an IP so that one address has one key (core/shared/ip.ts). */
export function normalizeIp(address: string): string | undefined {
  return canonicalIp(address);
}

export function userEntity(id: string): Entity {
  return { kind: 'user', id };
}

export function ipEntity(address: string): Entity {
  return { kind: 'ip', id: normalizeIp(address) ?? address };
}

/** Parses `user:<id>` or `ip:<address>` as typed on the command line. */
export function parseEntity(text: string): EntityParse {
  const colon = text.indexOf(':');
  const kind = colon === -1 ? '' : text.slice(0, colon).toLowerCase();
  const id = colon === -1 ? '' : text.slice(colon + 1);
  if (kind === 'user') {
    const checked = checkUserId(id);
    if (!checked.ok) {
      return {
        ok: false,
        problem: `the user id in ${JSON.stringify(text)} ${describeUserIdProblem(checked.problem)}`,
      };
    }
    return { ok: true, entity: userEntity(id) };
  }
  if (kind === 'ip') {
    // An address, or a CIDR range `addr/len`; stored in canonical form (network address, RFC 5952).
    const cidr = parseCidr(id);
    if (!cidr)
      return { ok: false, problem: `${JSON.stringify(text)} is not an IPv4 or IPv6 address or range` };
    return { ok: true, entity: { kind: 'ip', id: cidr.text } };
  }
  return {
    ok: false,
    problem: `"${text}" should be written user:<id> or ip:<address> (a range as ip:<address>/<length>)`,
  };
}

export function formatEntity(entity: Entity): string {
  return `${entity.kind}:${entity.id}`;
}

/** The DynamoDB key form, used as the aggregate sort key, the request log and blocklist partition key. */
export function entityKey(entity: Entity): string {
  return KEY_PREFIX[entity.kind] + entity.id;
}

/** The start every key of an entity kind shares (`IP#`), to list one kind within a partition. */
export function entityKeyPrefix(kind: EntityKind): string {
  return KEY_PREFIX[kind];
}

export function parseEntityKey(key: string): Entity | undefined {
  for (const kind of ['user', 'ip'] as const) {
    if (key.startsWith(KEY_PREFIX[kind])) return { kind, id: key.slice(KEY_PREFIX[kind].length) };
  }
  return undefined;
}
