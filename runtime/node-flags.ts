// The flags the gateway's node runs with: in the container (runtime/Dockerfile's CMD, which a test
// holds to this list) and wherever the bench and the fault drills start the built bundle.
//
// --max-semi-space-size=64: V8's young generation up to 64 MiB per semi-space instead of 16. At
// 1,000 req/s the gateway allocated a semi-space's worth about every 0.45 s, and each scavenge paused
// it for about 1 ms: one stall every half second, the most frequent cause of its slow requests beside
// the machine's own (--trace-gc against the requests over 2 ms, grouped by 50 ms window). A larger
// young generation makes them about four times rarer for up to ~100 MiB more memory at full
// allocation rate, within the smallest task's 512 MiB.
export const GATEWAY_NODE_FLAGS: readonly string[] = ['--enable-source-maps', '--max-semi-space-size=64'];
