// The token bucket as one atomic Redis script: one round trip per request, and the Redis server's
// clock (TIME) so that gateway tasks with skewed clocks agree. Same rules as token-bucket.ts.
// Needs Redis >= 5 (scripts replicated by effects, so TIME before a write is allowed).

export const TOKEN_BUCKET_SCRIPT = `
-- KEYS[1]: the bucket hash of one entity (fields: tokens, ts), e.g. sentinel:rl:USER#alice
-- ARGV[1]: capacity, in tokens
-- ARGV[2]: refill rate, tokens per second
-- ARGV[3]: cost of this request, in tokens (1)
-- ARGV[4]: idle expiry in ms: once a bucket would be full again its key can go
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2]) / 1000
local cost = tonumber(ARGV[3])
local ttl = tonumber(ARGV[4])

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1])
local ts = tonumber(state[2])
if tokens == nil or ts == nil then
  tokens = capacity
  ts = now
end
-- Refill for the time elapsed; a clock that went backwards refills nothing.
tokens = math.min(capacity, tokens + math.max(0, now - ts) * rate)

if tokens >= cost then
  tokens = tokens - cost
  redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
  redis.call('PEXPIRE', KEYS[1], ttl)
  -- allowed, whole tokens left, ms until one token is back, ms until full
  return {1, math.floor(tokens), 0, math.ceil((capacity - tokens) / rate)}
end
-- Refused: nothing is written, so a refused request costs no token and a client that backs off
-- recovers at the refill rate.
return {0, math.floor(tokens), math.ceil((cost - tokens) / rate), math.ceil((capacity - tokens) / rate)}
`;
