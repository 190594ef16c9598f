// A logger that writes one line per message per window: a failure repeating on every request or
// flush (an outage) gives one line a minute with the count of the lines it stands for, not
// thousands. The first line of a message goes out at once.
import type { Clock } from './clock';
import type { LogFields, Logger, LogLevel } from './logger';

/** @default one minute */
export const LOG_WINDOW_MS = 60_000;

interface Kind {
  /** When the last line of this message was written. */
  writtenAt: number;
  /** Lines held back since. */
  suppressed: number;
}

export function rateLimitedLogger(logger: Logger, clock: Clock, windowMs = LOG_WINDOW_MS): Logger {
  const kinds = new Map<string, Kind>();
  const log =
    (level: LogLevel) =>
    (message: string, fields?: LogFields): void => {
      const now = clock.now();
      const kind = kinds.get(message);
      if (kind && now - kind.writtenAt < windowMs) {
        kind.suppressed++;
        return;
      }
      const repeated = kind?.suppressed ?? 0;
      kinds.set(message, { writtenAt: now, suppressed: 0 });
      logger[level](message, repeated > 0 ? { ...fields, repeated } : fields);
    };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}
