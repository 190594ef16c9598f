// Streams a request body of unknown length (chunked) to the upstream while counting it; past the
// limit the stream fails, undici aborts the upstream request, and the client gets 413. Nothing is
// buffered beyond the chunk in hand.
import { ErrorCode, SentinelError } from '../../core/shared/errors';

export function bodyTooLarge(limit: number): SentinelError {
  return new SentinelError(ErrorCode.GatewayBodyTooLarge, `Request body is larger than ${limit} bytes`);
}

export async function* limitBody(
  source: AsyncIterable<Uint8Array>,
  limit: number,
  onChunk: (bytes: number) => void,
): AsyncGenerator<Uint8Array> {
  let total = 0;
  for await (const chunk of source) {
    total += chunk.byteLength;
    if (total > limit) throw bodyTooLarge(limit);
    onChunk(chunk.byteLength);
    yield chunk;
  }
}
