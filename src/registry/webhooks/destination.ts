import { BlockList, isIP } from "node:net";
import { InvalidArgumentError } from "../core/errors.js";

/**
 * Where webhooks may deliver. HTTPS unless allowHttp; never to a private, loopback, link-local,
 * unspecified, multicast or otherwise special address (IPv4, IPv6, IPv4-mapped and the numeric
 * spellings the URL parser normalises, such as 2130706433 or 0x7f.1) unless the address is in an
 * allowed network. A URL naming a host is checked again on every connection, on the address it
 * resolved to (the delivery client's lookup), so DNS cannot point it somewhere refused later.
 */
export interface DestinationPolicy {
  allowHttp: boolean;
  /** Addresses allowed although special (such as 127.0.0.1/32 for a test receiver). */
  allowed: BlockList;
}

const SPECIAL_V4: Array<[string, number]> = [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
];

const SPECIAL_V6: Array<[string, number]> = [
  ["::", 128],
  ["::1", 128],
  // IPv4-compatible (deprecated) and NAT64: they reach IPv4 addresses; refused whole.
  ["::", 96],
  ["64:ff9b::", 96],
  ["100::", 64],
  ["2001:db8::", 32],
  ["fc00::", 7],
  ["fe80::", 10],
  ["fec0::", 10],
  ["ff00::", 8],
];

const SPECIAL = new BlockList();
for (const [address, prefix] of SPECIAL_V4) SPECIAL.addSubnet(address, prefix, "ipv4");
// BlockList matches IPv4-mapped IPv6 addresses (::ffff:127.0.0.1) against the IPv4 rules.
for (const [address, prefix] of SPECIAL_V6) SPECIAL.addSubnet(address, prefix, "ipv6");

/** Parses `CIDR,CIDR,…` (a plain address means that one address); throws Error naming a bad entry. */
export function parseAllowedNetworks(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = "", prefix] = entry.split("/");
    const family = isIP(address);
    const bits = prefix === undefined ? (family === 6 ? 128 : 32) : Number(prefix);
    if (family === 0 || !Number.isInteger(bits) || bits < 0 || bits > (family === 6 ? 128 : 32)) {
      throw new Error(`invalid network "${entry}": expected an address or CIDR such as 127.0.0.1/32 or ::1/128`);
    }
    list.addSubnet(address, bits, family === 6 ? "ipv6" : "ipv4");
  }
  return list;
}

/** Why an address may not be delivered to, or null when it may. */
export function refusedAddress(address: string, policy: DestinationPolicy): string | null {
  const family = isIP(address);
  if (family === 0) return `"${address}" is not an IP address`;
  const type = family === 6 ? "ipv6" : "ipv4";
  if (!SPECIAL.check(address, type) || policy.allowed.check(address, type)) return null;
  return `${address} is a private, loopback, link-local or otherwise special address (allow its network with --webhook-allowed-networks)`;
}

/** Checks a webhook URL at create and update; returns it normalised. */
export function checkDestination(raw: string, policy: DestinationPolicy, field = "webhook.url"): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw InvalidArgumentError.field(field, "is not an absolute URL");
  }
  const bad = (why: string) => InvalidArgumentError.field(field, why, "WEBHOOK_DESTINATION_REFUSED");
  if (url.protocol !== "https:" && url.protocol !== "http:") throw bad(`must be https (not ${url.protocol})`);
  if (url.protocol === "http:" && !policy.allowHttp) throw bad("must be https (the server does not allow http: --webhook-allow-http)");
  if (url.hash !== "") throw bad("must not have a fragment");
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  if (isIP(host) !== 0) {
    const why = refusedAddress(host, policy);
    if (why) throw bad(why);
  } else if (host === "localhost" || host.endsWith(".localhost")) {
    const why = refusedAddress("127.0.0.1", policy);
    if (why) throw bad(`${host} is a loopback name (allow 127.0.0.1 with --webhook-allowed-networks)`);
  }
  // An empty fragment ("…#") goes: nothing is sent after "#" anyway.
  url.hash = "";
  return url.toString();
}

/** The URL as event snapshots show it: no user, password or query. */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    url.username = "";
    url.password = "";
    url.search = "";
    return url.toString();
  } catch {
    return "";
  }
}
