// The canonical text of IP addresses and CIDR ranges, so that one address has one key: IPv6 in
// RFC 5952 form (lower case, no leading zeros, the longest run of zero groups as `::`), and an
// IPv4-mapped IPv6 address (`::ffff:6.6.6.6`, `0:0:0:0:0:ffff:606:606`) as the IPv4 it carries.
import { isIP } from 'node:net';

export type IpFamily = 4 | 6;

export interface Cidr {
  family: IpFamily;
  /** The network address, host bits zeroed. */
  bytes: Uint8Array;
  prefixLength: number;
  /** Canonical text: `addr/len`, or the bare address for a full-length prefix. */
  text: string;
}

const MAPPED = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/;

/** The canonical text of an address (brackets and a zone id dropped); undefined if it is none. */
export function canonicalIp(address: string): string | undefined {
  let text = address.trim();
  if (text.startsWith('[') && text.endsWith(']')) text = text.slice(1, -1);
  const version = isIP(text);
  if (version === 4) return text;
  if (version !== 6) return undefined;
  const zone = text.indexOf('%');
  if (zone !== -1) text = text.slice(0, zone);
  // The WHATWG URL serialiser writes IPv6 hosts exactly in RFC 5952 form.
  const compact = new URL(`http://[${text}]/`).hostname.slice(1, -1);
  const mapped = MAPPED.exec(compact);
  if (!mapped) return compact;
  const high = Number.parseInt(mapped[1]!, 16);
  const low = Number.parseInt(mapped[2]!, 16);
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}

/** The bytes of a canonical address (4 or 16). */
export function ipBytes(canonical: string): Uint8Array | undefined {
  const version = isIP(canonical);
  if (version === 4) return Uint8Array.from(canonical.split('.').map(Number));
  if (version !== 6) return undefined;
  const [head = '', tail] = canonical.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  const bytes = new Uint8Array(16);
  groups.forEach((group, i) => {
    const value = Number.parseInt(group, 16);
    bytes[i * 2] = value >> 8;
    bytes[i * 2 + 1] = value & 255;
  });
  return bytes;
}

/** The network of `bytes` with only the first `prefixLength` bits kept. */
export function maskBytes(bytes: Uint8Array, prefixLength: number): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    const bits = Math.max(0, Math.min(8, prefixLength - i * 8));
    out[i] = bytes[i]! & (0xff << (8 - bits));
  }
  return out;
}

function bytesToText(bytes: Uint8Array): string {
  if (bytes.length === 4) return bytes.join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return canonicalIp(groups.join(':'))!;
}

/** Parses `addr/len` (or a bare address, a full-length prefix); host bits are zeroed. */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  const address = canonicalIp(slash === -1 ? text : text.slice(0, slash));
  if (address === undefined) return undefined;
  const family: IpFamily = isIP(address) === 4 ? 4 : 6;
  const max = family === 4 ? 32 : 128;
  // An IPv4-mapped range written in IPv6 (::ffff:10.0.0.0/104) is the IPv4 range it maps.
  const written = slash === -1 ? text : text.slice(0, slash);
  const shift = family === 4 && isIP(written.trim().replace(/^\[|\]$/g, '')) === 6 ? 96 : 0;
  const lengthText = slash === -1 ? String(max + shift) : text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(lengthText)) return undefined;
  const prefixLength = Number(lengthText) - shift;
  if (prefixLength < 0 || prefixLength > max) return undefined;
  const bytes = maskBytes(ipBytes(address)!, prefixLength);
  const network = bytesToText(bytes);
  return { family, bytes, prefixLength, text: prefixLength === max ? network : `${network}/${prefixLength}` };
}
