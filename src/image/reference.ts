// Image references: `registry[:port]/repository[:tag][@sha256:digest]`, with the registry always
// explicit (no Docker Hub shorthand). Plain HTTP is chosen only for a loopback registry, so a
// reference can never send credentials or pull content unencrypted over a network.
import { ErrorCode, SentinelError } from '../../core/shared/errors';
import { isDigest } from './digest';

export interface ImageReference {
  /** host[:port] as written. */
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
  /** `http://` for loopback registries, `https://` otherwise. */
  origin: string;
}

const REPOSITORY = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export function isLoopbackHost(host: string): boolean {
  const name = host.replace(/:\d+$/, '');
  return name === 'localhost' || name === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(name);
}

export function registryOrigin(registry: string): string {
  return `${isLoopbackHost(registry) ? 'http' : 'https'}://${registry}`;
}

export function parseReference(text: string): ImageReference {
  const invalid = (why: string) =>
    new SentinelError(ErrorCode.ImageReferenceInvalid, `Image reference ${JSON.stringify(text)} ${why}`, {
      hint: 'Write it as registry/repository:tag or registry/repository@sha256:<64 hex>, e.g. public.ecr.aws/docker/library/node:24-bookworm-slim',
      exitCode: 2,
    });
  let rest = text.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!isDigest(digest)) throw invalid('has a digest that is not sha256:<64 lowercase hex>');
  }
  const slash = rest.indexOf('/');
  if (slash <= 0) throw invalid('names no registry host');
  const registry = rest.slice(0, slash);
  let path = rest.slice(slash + 1);
  let tag: string | undefined;
  const colon = path.lastIndexOf(':');
  if (colon >= 0) {
    tag = path.slice(colon + 1);
    path = path.slice(0, colon);
    if (!TAG.test(tag)) throw invalid('has an invalid tag');
  }
  if (!REPOSITORY.test(path)) throw invalid('has an invalid repository name');
  if (!tag && !digest) tag = 'latest';
  return { registry, repository: path, tag, digest, origin: registryOrigin(registry) };
}

/** What to fetch: the digest when pinned (it wins over a tag), else the tag. */
export function referenceTarget(ref: ImageReference): string {
  return ref.digest ?? ref.tag ?? 'latest';
}

export function formatReference(
  ref: Pick<ImageReference, 'registry' | 'repository' | 'tag' | 'digest'>,
): string {
  return `${ref.registry}/${ref.repository}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}
