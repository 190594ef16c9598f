// The token bucket's EVALSHA as an ioredis Command whose wire form is built from parts encoded once
// per policy. Every request of a policy sends the same command but for its key, and ioredis would
// encode each command afresh (every argument measured, concatenated and flattened), which is among
// the largest costs of the request path (bench:instructions shows it). ioredis exports Command for
// custom commands and sends what toWritable returns, so everything else (the reply parser, the
// command queue, reconnection, offline queueing) stays the library's.
import { Command } from 'ioredis';

/** The encoded parts of `EVALSHA sha 1 <key> ...args`: what precedes and what follows the key. */
export interface BucketCommandParts {
  readonly sha: string;
  readonly args: readonly string[];
  readonly head: string;
  readonly tail: string;
}

/** A RESP bulk string (length in bytes, not characters). */
function bulk(value: string): string {
  return `$${Buffer.byteLength(value)}\r\n${value}\r\n`;
}

export function bucketCommandParts(sha: string, args: readonly string[]): BucketCommandParts {
  // *<count>: EVALSHA, the sha, numkeys, the key and the arguments.
  const head = `*${4 + args.length}\r\n${bulk('evalsha')}${bulk(sha)}${bulk('1')}`;
  return { sha, args, head, tail: args.map(bulk).join('') };
}

export class BucketCommand extends Command {
  readonly #wire: string;

  constructor(parts: BucketCommandParts, key: string) {
    // The arguments are given too, so that whatever inspects a command (debug logging, tracing)
    // sees it whole; they are not encoded again.
    super('evalsha', [parts.sha, '1', key, ...parts.args], { replyEncoding: 'utf8' });
    this.#wire = `${parts.head}${bulk(key)}${parts.tail}`;
  }

  override toWritable(): string {
    return this.#wire;
  }
}
