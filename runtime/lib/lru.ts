// A bounded map that evicts the least recently used key, on top of Map's insertion order: an insert
// past capacity evicts the first key. A hit moves its key to the end only when the key has drifted
// at least half the capacity away from it: moving costs a delete and an insert, and the hot keys of
// the request path (a client's token, a user's bucket) are hit many times between moves. So the
// order is nearly that of last use: a key used within the last max/2 moves is never evicted, and
// maps of up to two entries keep the exact order.

interface Slot<V> {
  value: V;
  /** The move count when the key last went to the end. */
  moved: number;
}

export class LruMap<K, V> {
  readonly #max: number;
  readonly #refreshAfter: number;
  readonly #map = new Map<K, Slot<V>>();
  /** Keys moved to the end so far (inserts and refreshes): a key's distance from the end is at most now - moved. */
  #moves = 0;

  constructor(maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 0) {
      throw new RangeError(`LruMap size must be a whole number >= 0, got ${maxEntries}`);
    }
    this.#max = maxEntries;
    this.#refreshAfter = Math.floor(maxEntries / 2);
  }

  get size(): number {
    return this.#map.size;
  }

  get(key: K): V | undefined {
    const slot = this.#map.get(key);
    if (slot === undefined) return undefined;
    if (this.#moves - slot.moved >= this.#refreshAfter) {
      this.#map.delete(key);
      this.#map.set(key, slot);
      slot.moved = ++this.#moves;
    }
    return slot.value;
  }

  set(key: K, value: V): void {
    if (this.#max === 0) return;
    this.#map.delete(key);
    this.#map.set(key, { value, moved: ++this.#moves });
    if (this.#map.size > this.#max) this.#map.delete(this.#map.keys().next().value as K);
  }

  delete(key: K): void {
    this.#map.delete(key);
  }

  clear(): void {
    this.#map.clear();
  }
}
