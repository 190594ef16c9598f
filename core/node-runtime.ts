// The Node.js major the gateway container and the detector Lambda run on. The bundles target it,
// the gateway's base image carries it, the Lambda runtime is named after it, and CI tests on it.
export const RUNTIME_NODE_MAJOR = 24;
