// Bench only: a full garbage collection on SIGUSR2, so that a process's memory can be read without
// the dead buffers its last requests left (V8 frees them at a time of its choosing). Loaded into the
// process under measurement with `--expose-gc --require`; the request path is not touched.
process.on('SIGUSR2', () => {
  globalThis.gc();
});
