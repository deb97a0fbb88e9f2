import { lookup as dnsLookup, promises as dns } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/**
 * SSRF protection for org webhooks. A subscriber URL is chosen by an org admin, and the service POSTs to it from
 * inside our network, so it must not reach loopback, private, link-local (cloud metadata at 169.254.169.254),
 * CGNAT, multicast or reserved addresses. Checked when the URL is saved (a clear 400) and again on every delivery,
 * on the very addresses the socket connects to (see guardedLookup), because DNS may change after saving.
 */
export const MAX_SUBSCRIBER_URL_LENGTH = 2048;

const FORBIDDEN = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network", includes the unspecified 0.0.0.0
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // CGNAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12],
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  FORBIDDEN.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 96], // unspecified, loopback and the deprecated IPv4-compatible form
  ['100::', 64], // discard-only
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // deprecated site-local
  ['ff00::', 8], // multicast
] as const) {
  FORBIDDEN.addSubnet(network, prefix, 'ipv6');
}

/** The eight 16-bit groups of an IPv6 address (zone id dropped, a dotted IPv4 tail folded in). */
function ipv6Groups(address: string): number[] {
  let text = address.split('%')[0].toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number);
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const parse = (part: string) => (part ? part.split(':').map((group) => parseInt(group, 16)) : []);
  const [head, tail] = text.split('::');
  const front = parse(head);
  const back = tail === undefined ? [] : parse(tail);
  return [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
}

/** IPv4 address carried inside an IPv6 one that a gateway would forward to (mapped, NAT64, 6to4), if any. */
function embeddedIpv4(address: string): string | null {
  const g = ipv6Groups(address);
  const quad = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  const zeros = (from: number, to: number) => g.slice(from, to).every((group) => group === 0);
  if (zeros(0, 5) && g[5] === 0xffff) return quad(g[6], g[7]); // ::ffff:a.b.c.d
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return quad(g[6], g[7]); // NAT64 64:ff9b::/96
  if (g[0] === 0x2002) return quad(g[1], g[2]); // 6to4 2002:aabb:ccdd::/48
  return null;
}

/** True for any address a webhook must not reach; anything that is not an IP address is refused too. */
export function isForbiddenAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  const family = isIP(bare.split('%')[0]);
  if (family === 4) return FORBIDDEN.check(bare, 'ipv4');
  if (family !== 6) return true;
  const embedded = embeddedIpv4(bare);
  return FORBIDDEN.check(bare.split('%')[0], 'ipv6') || (embedded !== null && isForbiddenAddress(embedded));
}

const isLocalhostName = (host: string) => /(^|\.)localhost\.?$/i.test(host);

/** Syntax only (for the DTO): an absolute http(s) URL without credentials. Returns what is wrong, or null. */
export function subscriberUrlSyntaxProblem(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > MAX_SUBSCRIBER_URL_LENGTH)
    return `subscriberUrl must be an http or https URL of at most ${MAX_SUBSCRIBER_URL_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'subscriberUrl must be an absolute http or https URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'subscriberUrl must use http or https';
  // Credentials in the URL would be stored and logged in clear; the signing secret is the way to authenticate.
  if (url.username || url.password) return 'subscriberUrl must not contain a user name or password';
  return null;
}

export type DestinationCheck = { ok: true } | { ok: false; retryable: boolean; reason: string };

const FORBIDDEN_KIND = 'a private, loopback, link-local or reserved address';

/** Checks the host without DNS: IP literals (as the WHATWG parser normalized them) and localhost names. */
export function literalHostCheck(url: URL): DestinationCheck | null {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host))
    return isForbiddenAddress(host)
      ? { ok: false, retryable: false, reason: `is ${FORBIDDEN_KIND}` }
      : { ok: true };
  if (isLocalhostName(host)) return { ok: false, retryable: false, reason: `is ${FORBIDDEN_KIND}` };
  return null;
}

/** Full check when a URL is saved: the literal host, or every address its name resolves to. */
export async function checkDestination(url: URL): Promise<DestinationCheck> {
  const literal = literalHostCheck(url);
  if (literal) return literal;
  try {
    const addresses = await dns.lookup(url.hostname, { all: true, verbatim: true });
    if (addresses.some((a) => isForbiddenAddress(a.address)))
      return { ok: false, retryable: false, reason: `resolves to ${FORBIDDEN_KIND}` };
    return { ok: true };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'lookup failed';
    return { ok: false, retryable: code !== 'ENOTFOUND', reason: `host could not be resolved (${code})` };
  }
}

/** Raised inside a delivery when the host resolves to a forbidden address: never retried. */
export class ForbiddenDestinationError extends Error {
  override readonly name = 'ForbiddenDestinationError';
}

/**
 * `lookup` for http(s).request: resolves as usual, then refuses the connection if any resolved address is
 * forbidden. The socket connects to the addresses checked here, so a DNS answer that changes between a check and
 * the connection (rebinding) cannot slip through.
 */
export const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, options, (error, address, family) => {
    if (error) return callback(error, address, family);
    const resolved = Array.isArray(address) ? address.map((a) => a.address) : [address];
    if (resolved.some(isForbiddenAddress)) {
      return callback(new ForbiddenDestinationError(`${hostname} resolves to ${FORBIDDEN_KIND}`), '', 4);
    }
    callback(null, address, family);
  });
};
