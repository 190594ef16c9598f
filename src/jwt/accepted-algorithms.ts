// Which HMAC algorithms a gateway with these settings accepts for its shared secret, so that
// `jwt mint` can say before the first request that a token will be refused (algorithm_not_allowed).
// Mirrors the gateway's token verifier: the allowed list when set, else the one configured algorithm.
import { isHmac, type JwtAlgorithm } from '../../core/jwt/algorithms';
import type { Config } from '../../core/config/schema';

export function acceptedHmacAlgorithms(
  values: Pick<Config, 'jwtAlgorithm' | 'jwtAlgorithms'>,
): JwtAlgorithm[] {
  const explicit = values.jwtAlgorithms?.length ? values.jwtAlgorithms : undefined;
  return (explicit ?? [values.jwtAlgorithm ?? 'HS256']).filter(isHmac);
}
