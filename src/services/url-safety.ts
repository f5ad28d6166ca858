// Webhook URLs must not turn descent into a proxy into its own network (SSRF):
// only http(s), and a host that resolves only to public addresses, unless an
// operator allows private ones (WEBHOOK_ALLOW_PRIVATE_ADDRESSES, for tests and
// closed networks). Checked when the endpoint is registered and again before
// every delivery, as DNS may have changed meanwhile.

import { lookup } from "node:dns/promises";
import ipaddr from "ipaddr.js";

/** ipaddr.js ranges that are the public internet; every other (loopback, private, linkLocal, uniqueLocal, ...) is refused. */
const PUBLIC_RANGES = new Set(["unicast", "global"]);

export class UnsafeUrl extends Error {}

export function isPublicAddress(address: string): boolean {
  const parsed = ipaddr.parse(address);
  const ip = parsed.kind() === "ipv6" && (parsed as ipaddr.IPv6).isIPv4MappedAddress() ? (parsed as ipaddr.IPv6).toIPv4Address() : parsed;
  return PUBLIC_RANGES.has(ip.range());
}

/** Throws UnsafeUrl saying why the URL may not be called; returns the URL parsed. */
export async function checkWebhookUrl(raw: string, { allowPrivate }: { allowPrivate: boolean }): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UnsafeUrl("is not a URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new UnsafeUrl(`must be http or https, not ${url.protocol.slice(0, -1)}`);
  if (url.username || url.password) throw new UnsafeUrl("must not carry credentials");
  if (allowPrivate) return url;
  const host = url.hostname.replace(/^\[|\]$/g, "");
  let addresses: string[];
  try {
    addresses = ipaddr.isValid(host) ? [host] : (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
  } catch {
    throw new UnsafeUrl(`host ${host} does not resolve`);
  }
  const refused = addresses.find((address) => !isPublicAddress(address));
  if (refused !== undefined) throw new UnsafeUrl(`host ${host} resolves to ${refused}, which is not a public address (loopback, private and link-local addresses are refused)`);
  return url;
}
