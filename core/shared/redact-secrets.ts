// The one redaction of secrets inside free text: credentials in a URL's userinfo
// (`redis://:pw@host`, `https://token@host`) and values of query parameters whose names look like
// secrets (`?token=`, `access_token`, `api_key`, `X-Amz-Signature`, `client_secret`, `password`).
// Used on every value, warning and error the CLI prints, and on every log line of the gateway and
// the detector, so a password in SENTINEL_API_REDIS_URL or a token in a JWKS URL never shows.

export const REDACTED = '********';

/** `scheme://userinfo@`: the userinfo is replaced whole (a user name alone can be a token). */
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@"'<>]+)@/gi;

/** A query parameter whose name contains a secret-looking word, up to its value's end. */
const SECRET_PARAMETER =
  /([?&;][^=&#\s"'<>]*(?:token|secret|passw|pwd|key|signature|sig|credential|auth|session)[^=&#\s"'<>]*=)[^&#;\s"'<>]*/gi;

/** `text` with URL credentials and secret-looking query values replaced by REDACTED. */
export function redactSecrets(text: string): string {
  if (text.indexOf('@') === -1 && text.indexOf('=') === -1) return text;
  return text
    .replace(USERINFO, (_match, scheme: string) => `${scheme}${REDACTED}@`)
    .replace(SECRET_PARAMETER, (_match, name: string) => `${name}${REDACTED}`);
}

/** The same for every string inside a value (log fields, JSON output), copied, not changed in place. */
export function redactSecretsDeep<T>(value: T): T {
  if (typeof value === 'string') return redactSecrets(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => redactSecretsDeep(item)) as T;
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = redactSecretsDeep(item);
    return out as T;
  }
  return value;
}
