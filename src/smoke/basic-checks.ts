// `sentinel smoke`: the path a client takes, checked end to end against a running gateway —
// liveness, readiness, refusal without a token, verification, a proxied call with its rate-limit
// headers, and (opt-in, since it burns tokens) a 429 once a user's bucket is drained.
import { RATE_LIMIT_HEADER_NAMES, type RateLimitHeaderStyle } from '../../runtime/rate-limit/headers';
import { fail, pass, type Check } from './check';

export interface BasicCheckOptions {
  /** Gateway base URL, without a trailing slash. */
  url: string;
  /** Mints a token for a subject. */
  mint: (subject: string) => Promise<string>;
  /** Path under /proxy for the proxied call. @default '/' */
  path?: string;
  /** Drain a fresh user's bucket and expect 429. */
  rateLimit?: boolean;
  /** Subject for the checks; a fresh one per run keeps runs independent. */
  subject: string;
  /** Upper bound on requests sent while draining. @default 5000 */
  maxDrainRequests?: number;
  fetch?: typeof fetch;
}

async function json(res: Response): Promise<Record<string, unknown>> {
  try {
    return (await res.json()) as Record<string, unknown>;
  } catch {
    return {};
  }
}

export function basicChecks(options: BasicCheckOptions): Check[] {
  const http = options.fetch ?? fetch;
  const path = `/proxy/${(options.path ?? '/').replace(/^\/+/, '')}`;
  let token: string | undefined;
  const auth = async () => ({ authorization: `Bearer ${(token ??= await options.mint(options.subject))}` });

  const checks: Check[] = [
    {
      name: 'health',
      async run() {
        const res = await http(`${options.url}/health`);
        const body = await json(res);
        return res.status === 200 && body.status === 'ok'
          ? pass(`200, version ${String(body.version ?? '?')}`)
          : fail(`${res.status} ${JSON.stringify(body)}`);
      },
    },
    {
      name: 'ready',
      async run() {
        const res = await http(`${options.url}/ready`);
        const body = await json(res);
        return res.status === 200
          ? pass('200')
          : fail(`${res.status}: ${String(body.detail ?? body.reason ?? JSON.stringify(body))}`);
      },
    },
    {
      name: 'no token is refused',
      async run() {
        const res = await http(`${options.url}${path}`);
        const body = await json(res);
        const challenge = res.headers.get('www-authenticate') ?? '';
        return res.status === 401 && challenge.startsWith('Bearer') && typeof body.error === 'string'
          ? pass(`401 ${String(body.error)}, WWW-Authenticate: Bearer`)
          : fail(`expected 401 with a Bearer challenge, got ${res.status}`);
      },
    },
    {
      name: 'token verifies',
      async run() {
        const res = await http(`${options.url}/auth/verify`, { headers: await auth() });
        const body = await json(res);
        return res.status === 200 && body.authenticated === true && body.userId === options.subject
          ? pass(`200, userId ${options.subject}`)
          : fail(`${res.status} ${JSON.stringify(body)}`);
      },
    },
    {
      name: 'proxied call',
      async run() {
        const res = await http(`${options.url}${path}`, { headers: await auth() });
        await res.arrayBuffer();
        // The upstream may answer anything for this path; only the gateway's own refusals fail here.
        const gatewayRefusal = [401, 403, 429, 502, 503, 504].includes(res.status);
        return gatewayRefusal
          ? fail(`GET ${path}: ${res.status}`)
          : pass(`GET ${path}: ${res.status} from the upstream`);
      },
    },
    {
      name: 'rate-limit headers',
      async run() {
        // The styles the gateway says it sends (SENTINEL_API_RATE_LIMIT_HEADERS), all of them checked.
        const health = await json(await http(`${options.url}/health`));
        const styles = health.rateLimitHeaders as RateLimitHeaderStyle[] | undefined;
        if (!Array.isArray(styles)) return fail('/health does not say which rate-limit headers are sent');
        const res = await http(`${options.url}${path}`, { headers: await auth() });
        await res.arrayBuffer();
        const expected = styles.flatMap((style) => RATE_LIMIT_HEADER_NAMES[style] ?? []);
        const missing = expected.filter((h) => !res.headers.has(h));
        if (missing.length > 0) return fail(`missing ${missing.join(', ')} (styles ${styles.join(', ')})`);
        const shown = expected.map((h) => `${h}: ${res.headers.get(h)}`).join('; ');
        return pass(`${styles.join(', ')}${shown ? ` (${shown})` : ''}`);
      },
    },
  ];

  if (options.rateLimit) {
    checks.push({
      name: 'bucket drains to 429',
      async run() {
        const drainToken = await options.mint(`${options.subject}-drain`);
        const max = options.maxDrainRequests ?? 5000;
        for (let sent = 1; sent <= max; sent++) {
          const res = await http(`${options.url}${path}`, {
            headers: { authorization: `Bearer ${drainToken}` },
          });
          await res.arrayBuffer();
          if (res.status === 429) {
            const retryAfter = res.headers.get('retry-after');
            return retryAfter
              ? pass(`429 after ${sent} requests, Retry-After ${retryAfter}s`)
              : fail(`429 after ${sent} requests but no Retry-After`);
          }
          if (res.status >= 500 || res.status === 401 || res.status === 403)
            return fail(`request ${sent}: ${res.status}`);
        }
        return fail(`no 429 within ${max} requests`);
      },
    });
  }
  return checks;
}
