import { promises as dns } from "node:dns";
import { isIP } from "node:net";
import ipaddr from "ipaddr.js";

export type UrlVerdict = { ok: true; url: URL } | { ok: false; reason: string };

const MAX_URL_LENGTH = 2048;

const RANGE_WORDS: Record<string, string> = {
  loopback: "a loopback address",
  private: "a private address",
  linkLocal: "a link-local address",
  uniqueLocal: "a unique-local address",
  unspecified: "an unspecified address",
  carrierGradeNat: "a carrier-grade NAT address",
  multicast: "a multicast address",
  broadcast: "a broadcast address",
  reserved: "a reserved address",
};

function rangeOf(ip: string): string | undefined {
  try {
    // process() turns IPv4-mapped IPv6 (::ffff:127.0.0.1) into the IPv4 address it stands for.
    return ipaddr.process(ip).range();
  } catch {
    return undefined;
  }
}

/** Only globally routable unicast addresses are public; every special range (loopback, private, ...) is not. */
export function isPublicAddress(ip: string): boolean {
  return rangeOf(ip) === "unicast";
}

/** "a private address", "a loopback address", ... for a reason sentence. */
function describeAddress(ip: string): string {
  const range = rangeOf(ip);
  if (range === undefined) return "not an IP address";
  return RANGE_WORDS[range] ?? "not a public address";
}

async function lookupAll(host: string): Promise<string[]> {
  const found = await dns.lookup(host, { all: true, verbatim: true });
  return found.map((a) => a.address);
}

/**
 * Whether `raw` may be a webhook endpoint: an absolute http(s) URL without credentials, and unless
 * `allowPrivate`, a host that is (or resolves only to) public addresses. The sender checks the addresses
 * again at connect time, since DNS may answer differently then.
 */
export async function checkWebhookUrl(
  raw: string,
  opts: { allowPrivate: boolean; lookup?: (host: string) => Promise<string[]> },
): Promise<UrlVerdict> {
  if (raw.length > MAX_URL_LENGTH) return { ok: false, reason: `the URL must be at most ${MAX_URL_LENGTH} characters` };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: "the URL is not a valid absolute URL" };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return { ok: false, reason: "the URL must use http or https" };
  if (url.username !== "" || url.password !== "") return { ok: false, reason: "the URL must not contain a username or password" };
  if (opts.allowPrivate) return { ok: true, url };

  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  if (isIP(host) !== 0) {
    return isPublicAddress(host) ? { ok: true, url } : { ok: false, reason: `${host} is ${describeAddress(host)}` };
  }
  let addresses: string[];
  try {
    addresses = await (opts.lookup ?? lookupAll)(host);
  } catch {
    addresses = [];
  }
  if (addresses.length === 0) return { ok: false, reason: `${host} does not resolve to any address` };
  const refused = addresses.find((a) => !isPublicAddress(a));
  if (refused !== undefined) return { ok: false, reason: `${host} resolves to ${refused}, ${describeAddress(refused)}` };
  return { ok: true, url };
}
