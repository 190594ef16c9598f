// Whether the real services the integration tests need exist on this machine. A missing Redis skips
// its tests loudly, unless SENTINEL_TEST_REQUIRE_SERVICES=1 makes it a failure (CI sets it).
import { execFileSync } from 'node:child_process';

export const requireServices = process.env.SENTINEL_TEST_REQUIRE_SERVICES === '1';

let redisBinary: string | undefined | null = null;

export function findRedisServer(): string | undefined {
  if (redisBinary !== null) return redisBinary;
  try {
    redisBinary =
      execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    redisBinary = undefined;
  }
  return redisBinary;
}

/** True when Redis tests can run; logs loudly (or throws under SENTINEL_TEST_REQUIRE_SERVICES=1) when not. */
export function redisAvailable(): boolean {
  if (findRedisServer()) return true;
  if (requireServices) {
    throw new Error(
      'redis-server is not on PATH and SENTINEL_TEST_REQUIRE_SERVICES=1: install Redis (apt-get install redis-server)',
    );
  }
  console.warn('\n!!! redis-server not found on PATH: Redis integration tests are SKIPPED !!!\n');
  return false;
}
