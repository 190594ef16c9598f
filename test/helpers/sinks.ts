// A LineSink that drops everything: for in-process gateways whose log lines a test does not read.
export function silentSink() {
  return { write() {}, dropped: () => 0, flush() {} };
}
