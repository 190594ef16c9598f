// Values keyed by CIDR range, looked up by address in O(number of distinct prefix lengths), not
// O(number of ranges): one map per prefix length, keyed by the masked network, probed longest
// prefix first. IPv4 networks are keyed by their 32-bit number, IPv6 ones by their hex bytes.
import { ipBytes, maskBytes, type Cidr } from '../../core/shared/ip';

export class CidrSet<T> {
  readonly #v4 = new Map<number, Map<number, T>>();
  readonly #v6 = new Map<number, Map<string, T>>();
  #v4Lengths: number[] = [];
  #v6Lengths: number[] = [];
  #size = 0;

  get size(): number {
    return this.#size;
  }

  /** Adds a range; `keep` decides between two values for the same range. */
  add(cidr: Cidr, value: T, keep: (existing: T, added: T) => T = (_e, added) => added): void {
    if (cidr.family === 4) {
      const byNetwork = this.#lengthMap(this.#v4, cidr.prefixLength, 4);
      const key = toUint32(cidr.bytes);
      const existing = byNetwork.get(key);
      if (existing === undefined) this.#size++;
      byNetwork.set(key, existing === undefined ? value : keep(existing, value));
    } else {
      const byNetwork = this.#lengthMap(this.#v6, cidr.prefixLength, 6);
      const key = Buffer.from(cidr.bytes).toString('hex');
      const existing = byNetwork.get(key);
      if (existing === undefined) this.#size++;
      byNetwork.set(key, existing === undefined ? value : keep(existing, value));
    }
  }

  /** The value of the longest range holding `address` (canonical text) that `accept` takes. */
  lookup(address: string, accept: (value: T) => boolean = () => true): T | undefined {
    if (this.#size === 0) return undefined;
    const bytes = ipBytes(address);
    if (!bytes) return undefined;
    if (bytes.length === 4) {
      const ip = toUint32(bytes);
      for (const length of this.#v4Lengths) {
        const mask = length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
        const value = this.#v4.get(length)!.get((ip & mask) >>> 0);
        if (value !== undefined && accept(value)) return value;
      }
      return undefined;
    }
    for (const length of this.#v6Lengths) {
      const key = Buffer.from(maskBytes(bytes, length)).toString('hex');
      const value = this.#v6.get(length)!.get(key);
      if (value !== undefined && accept(value)) return value;
    }
    return undefined;
  }

  #lengthMap<K>(maps: Map<number, Map<K, T>>, length: number, family: 4 | 6): Map<K, T> {
    let byNetwork = maps.get(length);
    if (!byNetwork) {
      byNetwork = new Map();
      maps.set(length, byNetwork);
      const lengths = [...maps.keys()].sort((a, b) => b - a);
      if (family === 4) this.#v4Lengths = lengths;
      else this.#v6Lengths = lengths;
    }
    return byNetwork;
  }
}

function toUint32(bytes: Uint8Array): number {
  return ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
}
