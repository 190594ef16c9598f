// Batches JSON lines to a stream (stdout in production): one write every few milliseconds (or sooner
// once a batch is large) instead of one per request or per event-loop turn, since each write is a
// system call that showed in profiles; and a bounded backlog so a slow log reader drops lines
// (counted) instead of growing memory or blocking requests.

export interface LineSink {
  write(line: string): void;
  /** Lines dropped because the backlog was full. */
  dropped(): number;
  /** Writes out what is buffered now (shutdown). */
  flush(): void;
}

export interface LineWriterOptions {
  /** Largest backlog, in characters, kept while the stream is backpressured. @default 4 MiB */
  maxBacklogChars?: number;
  /** Longest a line waits before it is written. @default 100 ms */
  flushIntervalMs?: number;
  /** A batch this large (characters) is written at once, without waiting. @default 256 KiB */
  batchChars?: number;
}

interface WritableLike {
  write(chunk: string): boolean;
  once(event: 'drain', listener: () => void): unknown;
}

export function createLineWriter(stream: WritableLike, options: LineWriterOptions = {}): LineSink {
  const maxBacklog = options.maxBacklogChars ?? 4 * 1024 * 1024;
  const intervalMs = options.flushIntervalMs ?? 100;
  const batchChars = options.batchChars ?? 256 * 1024;
  let pending: string[] = [];
  let pendingChars = 0;
  let timer: NodeJS.Timeout | undefined;
  let blocked = false;
  let drops = 0;

  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (pending.length === 0 || blocked) return;
    const chunk = pending.join('');
    pending = [];
    pendingChars = 0;
    if (!stream.write(chunk)) {
      blocked = true;
      stream.once('drain', () => {
        blocked = false;
        schedule();
      });
    }
  };
  const schedule = () => {
    if (pendingChars >= batchChars) flush();
    else timer ??= setTimeout(flush, intervalMs);
  };

  return {
    write(line) {
      if (pendingChars + line.length > maxBacklog) {
        drops++;
        return;
      }
      pending.push(line, '\n');
      pendingChars += line.length + 1;
      schedule();
    },
    dropped: () => drops,
    flush() {
      blocked = false;
      flush();
    },
  };
}

/** A sink that keeps lines in memory (tests, `sentinel dev` panels). */
export function memoryLineSink(): LineSink & { lines: string[] } {
  const lines: string[] = [];
  return { lines, write: (line) => void lines.push(line), dropped: () => 0, flush: () => {} };
}
