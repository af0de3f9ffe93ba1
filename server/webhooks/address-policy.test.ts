import assert from "node:assert/strict";
import { test } from "node:test";
import { checkWebhookUrl, isPublicAddress } from "./address-policy.ts";

test("only unicast addresses are public", () => {
  const table: [string, boolean][] = [
    ["8.8.8.8", true],
    ["93.184.216.34", true],
    ["2606:4700::1111", true],
    ["::ffff:8.8.8.8", true],
    ["127.0.0.1", false],
    ["::1", false],
    ["::ffff:127.0.0.1", false],
    ["::ffff:10.0.0.1", false],
    ["10.0.0.1", false],
    ["172.16.0.1", false],
    ["172.31.255.255", false],
    ["192.168.1.1", false],
    ["169.254.169.254", false],
    ["fe80::1", false],
    ["fd00::1", false],
    ["fc00::1", false],
    ["100.64.0.1", false],
    ["0.0.0.0", false],
    ["::", false],
    ["224.0.0.1", false],
    ["ff02::1", false],
    ["255.255.255.255", false],
    ["240.0.0.1", false],
    ["2001:db8::1", false],
    ["not an address", false],
    ["", false],
  ];
  for (const [ip, expected] of table) assert.equal(isPublicAddress(ip), expected, ip);
  assert.equal(isPublicAddress("172.32.0.1"), true, "just past 172.16/12");
});

const resolvesTo =
  (table: Record<string, string[]>) =>
  async (host: string): Promise<string[]> => {
    const found = table[host];
    if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" });
    return found;
  };

const lookup = resolvesTo({
  "hooks.example.com": ["93.184.216.34", "2606:4700::1111"],
  "example.internal": ["10.0.0.5"],
  "mixed.example.com": ["93.184.216.34", "127.0.0.1"],
  "empty.example.com": [],
});

async function reason(raw: string, allowPrivate = false): Promise<string | undefined> {
  const verdict = await checkWebhookUrl(raw, { allowPrivate, lookup });
  return verdict.ok ? undefined : verdict.reason;
}

test("a public http or https URL is accepted and returned parsed", async () => {
  const verdict = await checkWebhookUrl("https://hooks.example.com/in?x=1", { allowPrivate: false, lookup });
  assert.ok(verdict.ok);
  assert.equal(verdict.url.href, "https://hooks.example.com/in?x=1");
  assert.equal(await reason("http://hooks.example.com:8080/"), undefined);
  assert.equal(await reason("http://8.8.8.8/"), undefined);
  assert.equal(await reason("http://[2606:4700::1111]/"), undefined);
});

test("the shape of the URL is checked", async () => {
  assert.equal(await reason("/relative/path"), "the URL is not a valid absolute URL");
  assert.equal(await reason("not a url"), "the URL is not a valid absolute URL");
  assert.equal(await reason("ftp://hooks.example.com/"), "the URL must use http or https");
  assert.equal(await reason("javascript:alert(1)"), "the URL must use http or https");
  assert.equal(await reason("https://user:pw@hooks.example.com/"), "the URL must not contain a username or password");
  assert.equal(await reason("https://user@hooks.example.com/"), "the URL must not contain a username or password");
  assert.equal(await reason(`https://hooks.example.com/${"a".repeat(2048)}`), "the URL must be at most 2048 characters");
});

test("IP literals that are not public are refused, however they are spelled", async () => {
  assert.equal(await reason("http://127.0.0.1:3000/"), "127.0.0.1 is a loopback address");
  assert.equal(await reason("http://0x7f.1/"), "127.0.0.1 is a loopback address");
  assert.equal(await reason("http://2130706433/"), "127.0.0.1 is a loopback address");
  assert.equal(await reason("http://[::1]/"), "::1 is a loopback address");
  assert.match((await reason("http://[::ffff:10.0.0.1]/")) ?? "", /a private address$/);
  assert.equal(await reason("http://169.254.169.254/latest/meta-data"), "169.254.169.254 is a link-local address");
  assert.equal(await reason("http://[fd00::1]/"), "fd00::1 is a unique-local address");
  assert.equal(await reason("http://100.64.0.1/"), "100.64.0.1 is a carrier-grade NAT address");
  assert.equal(await reason("http://0.0.0.0/"), "0.0.0.0 is an unspecified address");
});

test("a host name must resolve, and only to public addresses", async () => {
  assert.equal(await reason("https://example.internal/hook"), "example.internal resolves to 10.0.0.5, a private address");
  assert.equal(await reason("https://mixed.example.com/"), "mixed.example.com resolves to 127.0.0.1, a loopback address");
  assert.equal(await reason("https://nowhere.example.com/"), "nowhere.example.com does not resolve to any address");
  assert.equal(await reason("https://empty.example.com/"), "empty.example.com does not resolve to any address");
});

test("allowPrivate accepts private hosts without resolving them, but still checks the shape", async () => {
  assert.equal(await reason("http://127.0.0.1:3000/", true), undefined);
  assert.equal(await reason("http://example.internal/", true), undefined);
  assert.equal(await reason("http://nowhere.example.com/", true), undefined);
  assert.equal(await reason("ftp://127.0.0.1/", true), "the URL must use http or https");
});

test("by default the host is resolved with DNS", async () => {
  const verdict = await checkWebhookUrl("http://localhost:3000/", { allowPrivate: false });
  assert.equal(verdict.ok, false);
  assert.match(verdict.ok ? "" : verdict.reason, /^localhost resolves to (127\.0\.0\.1|::1), a loopback address$/);
});
