// One repository on one registry, through the OCI distribution API: manifests, blobs and uploads.
// Authentication follows the registry's challenge: a bearer token (anonymous, or with credentials)
// or HTTP Basic. Redirects are followed by hand so Authorization never leaves the registry's origin
// (blob GETs redirect to object storage that must not see the registry's token).
import type { Readable } from 'node:stream';
import { request, type Dispatcher } from 'undici';
import { ErrorCode, SentinelError } from '../../core/shared/errors';
import { DigestVerifier, digestMismatch, sha256Digest } from './digest';
import { MANIFEST_ACCEPT } from './media-types';
import { isLoopbackHost, registryOrigin } from './reference';

export interface RegistryCredentials {
  username: string;
  password: string;
}

export interface RegistryClientOptions {
  /** Unset: anonymous (public registries hand out anonymous pull tokens). */
  credentials?: RegistryCredentials;
  /** Ask for push rights too. @default false */
  push?: boolean;
  dispatcher?: Dispatcher;
}

interface Response {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Dispatcher.ResponseData['body'];
  url: string;
}

interface SendOptions {
  headers?: Record<string, string>;
  body?: Readable | Buffer;
}

const MAX_REDIRECTS = 5;
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

function header(res: Response, name: string): string | undefined {
  const value = res.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export class RegistryClient {
  private authorization: string | undefined;
  readonly origin: string;

  constructor(
    readonly registry: string,
    readonly repository: string,
    private readonly options: RegistryClientOptions = {},
  ) {
    this.origin = registryOrigin(registry);
  }

  get name(): string {
    return `${this.registry}/${this.repository}`;
  }

  private url(path: string): string {
    return `${this.origin}/v2/${this.repository}/${path}`;
  }

  /** The manifest (index or image) at a tag or digest, verified against the digest when pinned. */
  async manifest(reference: string): Promise<{ mediaType: string; bytes: Buffer; digest: string }> {
    const res = await this.send('GET', this.url(`manifests/${reference}`), {
      headers: { accept: MANIFEST_ACCEPT },
    });
    if (res.status === 404) throw await this.notFound(res, reference);
    await this.expect(res, [200], `GET manifest ${reference}`);
    const bytes = Buffer.from(await res.body.arrayBuffer());
    if (bytes.length > MAX_MANIFEST_BYTES)
      throw this.transferError(`the manifest ${reference} is larger than ${MAX_MANIFEST_BYTES} bytes`);
    const digest = sha256Digest(bytes);
    if (reference.startsWith('sha256:') && digest !== reference)
      throw digestMismatch(`The manifest of ${this.name}`, reference, digest);
    const mediaType =
      header(res, 'content-type')?.split(';')[0]?.trim() ??
      (JSON.parse(bytes.toString('utf8')) as { mediaType?: string }).mediaType ??
      '';
    return { mediaType, bytes, digest };
  }

  /** The digest a tag or digest resolves to, or undefined when the registry has no such manifest. */
  async manifestDigest(reference: string): Promise<{ digest: string; mediaType: string } | undefined> {
    const res = await this.send('HEAD', this.url(`manifests/${reference}`), {
      headers: { accept: MANIFEST_ACCEPT },
    });
    await res.body.dump();
    if (res.status === 404) return undefined;
    await this.expect(res, [200], `HEAD manifest ${reference}`);
    const digest = header(res, 'docker-content-digest');
    if (!digest) throw this.transferError(`HEAD manifest ${reference} returned no Docker-Content-Digest`);
    return { digest, mediaType: header(res, 'content-type')?.split(';')[0]?.trim() ?? '' };
  }

  async hasBlob(digest: string): Promise<boolean> {
    const res = await this.send('HEAD', this.url(`blobs/${digest}`));
    await res.body.dump();
    if (res.status === 404) return false;
    await this.expect(res, [200], `HEAD blob ${digest}`);
    return true;
  }

  /** The blob as a stream that fails unless its bytes match the digest and size. */
  async blob(digest: string, size?: number): Promise<Readable> {
    const res = await this.send('GET', this.url(`blobs/${digest}`));
    if (res.status === 404) throw await this.notFound(res, digest);
    await this.expect(res, [200], `GET blob ${digest}`);
    const verifier = new DigestVerifier(digest, size, `Blob ${digest} of ${this.name}`);
    res.body.on('error', (error) =>
      verifier.destroy(this.transferError(`the download of blob ${digest} broke off`, error)),
    );
    res.body.pipe(verifier);
    return verifier;
  }

  /** Streams a blob up: start an upload session, send the bytes in one PATCH, commit with the digest. */
  async uploadBlob(digest: string, size: number, content: Readable): Promise<void> {
    const start = await this.send('POST', this.url('blobs/uploads/'), { headers: { 'content-length': '0' } });
    await this.expect(start, [202], 'start a blob upload');
    await start.body.dump();
    const session = this.location(start);
    const patch = await this.send('PATCH', session, {
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
      body: content,
    });
    await this.expect(patch, [202], `upload blob ${digest}`);
    await patch.body.dump();
    const commit = new URL(this.location(patch));
    commit.searchParams.set('digest', digest);
    const put = await this.send('PUT', commit.toString(), { headers: { 'content-length': '0' } });
    await this.expect(put, [201], `commit blob ${digest}`);
    await put.body.dump();
  }

  /** Puts a manifest under a tag; returns the digest the registry stored it under. */
  async putManifest(tag: string, mediaType: string, bytes: Buffer): Promise<string> {
    const res = await this.send('PUT', this.url(`manifests/${tag}`), {
      headers: { 'content-type': mediaType },
      body: bytes,
    });
    await this.expect(res, [201], `PUT manifest ${tag}`);
    await res.body.dump();
    const digest = sha256Digest(bytes);
    const stored = header(res, 'docker-content-digest');
    if (stored && stored !== digest)
      throw digestMismatch(`The pushed manifest of ${this.name}`, digest, stored);
    return digest;
  }

  private location(res: Response): string {
    const location = header(res, 'location');
    if (!location) throw this.transferError(`${res.url} answered ${res.status} without a Location`);
    return new URL(location, res.url).toString();
  }

  private async send(method: string, url: string, options: SendOptions = {}): Promise<Response> {
    let target = url;
    let authenticated = false;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const sameOrigin = new URL(target).origin === this.origin;
      const headers: Record<string, string> = { ...options.headers };
      if (sameOrigin && this.authorization) headers.authorization = this.authorization;
      let res: Response;
      try {
        const r = await request(target, {
          method: method as Dispatcher.HttpMethod,
          headers,
          body: options.body,
          dispatcher: this.options.dispatcher,
        });
        res = { status: r.statusCode, headers: r.headers, body: r.body, url: target };
      } catch (error) {
        // A streamed body that failed its own digest check keeps its code.
        if (error instanceof SentinelError) throw error;
        throw this.transferError(`${method} ${new URL(target).pathname} failed`, error);
      }
      if (
        res.status === 401 &&
        sameOrigin &&
        !authenticated &&
        !(options.body && !Buffer.isBuffer(options.body))
      ) {
        await res.body.dump();
        await this.authenticate(header(res, 'www-authenticate'));
        authenticated = true;
        hop--;
        continue;
      }
      if (res.status === 401 || res.status === 403) {
        await res.body.dump();
        throw this.authFailed(
          `${this.registry} refused ${method} ${new URL(target).pathname} (${res.status})`,
        );
      }
      const location = header(res, 'location');
      if (
        [301, 302, 303, 307, 308].includes(res.status) &&
        location &&
        (method === 'GET' || method === 'HEAD')
      ) {
        await res.body.dump();
        const next = new URL(location, target);
        if (next.protocol !== 'https:' && !isLoopbackHost(next.host))
          throw this.transferError(`${this.registry} redirected to plain HTTP (${next.host})`);
        target = next.toString();
        continue;
      }
      return res;
    }
    throw this.transferError(`more than ${MAX_REDIRECTS} redirects for ${method} ${url}`);
  }

  /** Answers a 401 challenge: Basic with the credentials, or a bearer token from the realm. */
  private async authenticate(challenge: string | undefined): Promise<void> {
    const { credentials } = this.options;
    const basic = credentials
      ? `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`
      : undefined;
    const scheme = challenge?.split(' ')[0]?.toLowerCase();
    if (scheme === 'basic') {
      if (!basic) throw this.authFailed(`${this.registry} asks for credentials`);
      this.authorization = basic;
      return;
    }
    if (scheme !== 'bearer') throw this.authFailed(`${this.registry} sent an unusable challenge`);
    const params = Object.fromEntries(
      [...challenge!.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!.toLowerCase(), m[2]!]),
    );
    if (!params.realm) throw this.authFailed(`${this.registry} named no token realm`);
    const realm = new URL(params.realm);
    if (realm.protocol !== 'https:' && !isLoopbackHost(realm.host))
      throw this.authFailed(`${this.registry} asks for a token over plain HTTP (${realm.host})`);
    if (params.service) realm.searchParams.set('service', params.service);
    realm.searchParams.set(
      'scope',
      `repository:${this.repository}:${this.options.push ? 'pull,push' : 'pull'}`,
    );
    let res;
    try {
      res = await request(realm, {
        headers: basic ? { authorization: basic } : {},
        dispatcher: this.options.dispatcher,
      });
    } catch (error) {
      throw this.transferError(`the token service ${realm.host} is unreachable`, error);
    }
    if (res.statusCode !== 200) {
      await res.body.dump();
      throw this.authFailed(`the token service ${realm.host} refused (${res.statusCode})`);
    }
    const body = (await res.body.json().catch(() => ({}))) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw this.authFailed(`the token service ${realm.host} returned no token`);
    this.authorization = `Bearer ${token}`;
  }

  private async expect(res: Response, statuses: number[], what: string): Promise<void> {
    if (statuses.includes(res.status)) return;
    let detail = '';
    try {
      const body = (await res.body.json()) as { errors?: Array<{ code?: string; message?: string }> };
      const first = body.errors?.[0];
      if (first) detail = `: ${first.code ?? ''} ${first.message ?? ''}`.trimEnd();
    } catch {
      // Not a registry error document; the status says enough.
    }
    throw this.transferError(`${what} on ${this.name} answered ${res.status}${detail}`);
  }

  private async notFound(res: Response, reference: string): Promise<SentinelError> {
    await res.body.dump();
    return new SentinelError(ErrorCode.ImageNotFound, `${this.name} has no image or blob ${reference}`, {
      hint: 'Check the reference (SENTINEL_API_GATEWAY_BASE_IMAGE or --image-uri) and that it was pushed',
      exitCode: 2,
    });
  }

  private authFailed(message: string): SentinelError {
    return new SentinelError(ErrorCode.ImageAuthFailed, `Not authorised for ${this.name}: ${message}`, {
      hint: this.options.credentials
        ? 'Check that the credentials are current and allowed to use this repository'
        : 'The repository is private or does not exist; use a public image or one in your own ECR',
      exitCode: 2,
    });
  }

  private transferError(message: string, cause?: unknown): SentinelError {
    const reason = cause instanceof Error ? `: ${cause.message}` : '';
    return new SentinelError(
      ErrorCode.ImageTransferFailed,
      `Registry ${this.registry}: ${message}${reason}`,
      {
        hint: 'Check the network and the registry, then run the command again (blobs already uploaded are kept)',
        cause,
      },
    );
  }
}
