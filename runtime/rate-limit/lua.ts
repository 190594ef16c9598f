// The token bucket as one atomic Redis script, in the "full at" form of token-bucket.ts (same rules,
// same names): one round trip per request, on the Redis server's clock (TIME) so that gateway tasks
// with skewed clocks agree. Kept to the least work inside Redis, where every request of every task
// runs one after the other: a GET and a SET of one number, and one integer back, which the gateway
// turns into the decision with outcome(). Needs Redis >= 5 (scripts replicated by effects, so TIME
// before a write is allowed).

export const TOKEN_BUCKET_SCRIPT = `
-- KEYS[1]: the bucket of one entity, e.g. sentinel:rl:USER#alice; its value is the time (µs
--          since the epoch, Redis clock) at which the bucket is full again
-- ARGV[1]: the cost of this request in µs of refill (tokens × µs per token)
-- ARGV[2]: capacity in µs of refill (capacity × µs per token)
-- ARGV[3]: expiry of the key in ms: once the bucket would be full again it can go
-- Returns the µs until the bucket would be full again with this request charged: positive when the
-- request is allowed (and charged), negative when refused (a refused request costs no token, so a
-- client that backs off recovers at the refill rate).
local t = redis.call('TIME')
local now = t[1] * 1000000 + t[2]
local burst = tonumber(ARGV[2])
-- pcall: a key of another type (a hash written by another script) reads as an unknown bucket,
-- which is full, and the SET below replaces it.
local full = tonumber(redis.pcall('GET', KEYS[1]))
-- A bucket full in the past is full now, never over-full.
if full == nil or full < now then full = now end
-- A bucket charged under a larger policy (the entity has just been throttled) counts as empty under
-- this one, not as owing the excess: it is written back so, and the throttled rate applies at once.
if full - now > burst then
  full = now + burst
  redis.call('SET', KEYS[1], full, 'PX', ARGV[3])
end
local after = full - now + tonumber(ARGV[1])
if after <= burst then
  redis.call('SET', KEYS[1], now + after, 'PX', ARGV[3])
  return after
end
return -after
`;
