// Who may use an upstream connection now. The pool's connections are permits: a request holds one
// from dispatch until undici reports its end. Past the pool, requests wait in a FIFO queue as long
// as the pool, for a bounded time; past either bound they are refused (503), so a burst of slow
// clients cannot make every other request wait without end. Each user may hold (or wait for) at
// most a quarter of the pool, so one user never starves the others (429).
//
// The uncontended path takes a permit with two Map operations and no allocation; only a request
// that has to wait gets a promise and a timer.

export type AdmissionRefusal = 'user_limit' | 'queue_full' | 'queue_timeout';
export type Admission = 'admitted' | AdmissionRefusal;

export interface UpstreamAdmissionOptions {
  /** Connections in the upstream pool. */
  connections: number;
  /** Requests one user may have in flight or waiting (capped at a quarter of the pool). */
  perUser: number;
  /** Longest wait for a permit. */
  queueWaitMs: number;
  /** Longest queue. @default connections */
  queueSize?: number;
}

interface Waiter {
  resolve(admission: Admission): void;
  timer: NodeJS.Timeout;
}

/** The per-user cap actually applied: the knob, at most a quarter of the pool, at least one. */
export function userShare(connections: number, perUser: number): number {
  return Math.max(1, Math.min(perUser, Math.floor(connections / 4)));
}

export class UpstreamAdmission {
  readonly #permits: number;
  readonly #perUser: number;
  readonly #queueWaitMs: number;
  readonly #queueSize: number;
  readonly #users = new Map<string, number>();
  readonly #queue: Waiter[] = [];
  #inUse = 0;

  constructor(options: UpstreamAdmissionOptions) {
    this.#permits = options.connections;
    this.#perUser = userShare(options.connections, options.perUser);
    this.#queueWaitMs = options.queueWaitMs;
    this.#queueSize = options.queueSize ?? options.connections;
  }

  /** Seconds a refused client should wait before retrying. */
  get retryAfterSeconds(): number {
    return Math.max(1, Math.ceil(this.#queueWaitMs / 1000));
  }

  /**
   * A permit for `user`: 'admitted' at once when one is free, a promise when the request has to
   * wait, a refusal otherwise. Every admission is paired with one leave(user).
   */
  enter(user: string): Admission | Promise<Admission> {
    const held = this.#users.get(user) ?? 0;
    if (held >= this.#perUser) return 'user_limit';
    if (this.#inUse < this.#permits) {
      this.#inUse++;
      this.#users.set(user, held + 1);
      return 'admitted';
    }
    if (this.#queue.length >= this.#queueSize) return 'queue_full';
    this.#users.set(user, held + 1);
    return new Promise<Admission>((resolve) => {
      const waiter: Waiter = {
        resolve,
        timer: setTimeout(() => {
          const at = this.#queue.indexOf(waiter);
          if (at !== -1) this.#queue.splice(at, 1);
          this.#forget(user);
          resolve('queue_timeout');
        }, this.#queueWaitMs),
      };
      this.#queue.push(waiter);
    });
  }

  /** Gives the permit back: to the longest waiter, or to the pool. */
  leave(user: string): void {
    this.#forget(user);
    const next = this.#queue.shift();
    if (next) {
      clearTimeout(next.timer);
      next.resolve('admitted');
    } else {
      this.#inUse--;
    }
  }

  /** Permits held and requests waiting (tests, metrics). */
  get load(): { inUse: number; waiting: number; users: number } {
    return { inUse: this.#inUse, waiting: this.#queue.length, users: this.#users.size };
  }

  #forget(user: string): void {
    const held = this.#users.get(user) ?? 0;
    if (held <= 1) this.#users.delete(user);
    else this.#users.set(user, held - 1);
  }
}
