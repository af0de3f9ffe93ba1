import fc from "fast-check";
import { TEST_API_KEY } from "../../support/env.ts";
import type { RawRequest } from "./raw-http.ts";

/** Percent-encodes raw bytes, so paths can carry invalid UTF-8, NUL and anything else. */
const pct = (bytes: Uint8Array) => [...bytes].map((b) => `%${b.toString(16).padStart(2, "0")}`).join("");
const utf8 = (s: string) => Buffer.from(s, "utf8");

const oddString = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 20 }),
  fc.constantFrom("", " ", "\u0000", "\ud800", "\udfff", "a\ud800b", "\ufeff", "\u202e", "x".repeat(129), "x".repeat(128), "0", "-1", "null", "__proto__", "constructor", "prototype", "%00", "../..", "<script>"),
);

/** A JSON-ish value with prototype-pollution keys, odd strings and awkward numbers. */
const hostileValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom(null, true, false, 0, -0, 1e308, -1e308, 2 ** 53 + 1, 0.1, 2147483648, -1),
    oddString,
    fc.array(tie("value"), { maxLength: 5 }),
    fc.dictionary(fc.oneof(oddString, fc.constantFrom("__proto__", "constructor", "prototype", "toString", "hasOwnProperty")), tie("value"), { maxKeys: 5 }),
  ),
})).value;

/** JSON text where "__proto__" is a real own key (JSON.stringify of a dictionary would drop it). */
const protoJson = fc.constantFrom(
  '{"uid":"p","msg":{"__proto__":{"polluted":1}}}',
  '{"__proto__":{"uid":"p"},"msg":1}',
  '{"uid":"p","msg":1,"__proto__":{"type":9}}',
  '{"uid":"p","msg":1,"constructor":{"prototype":{"polluted":1}}}',
  '{"messages":[{"uid":"p","msg":1}],"__proto__":{"length":1}}',
  '{"messages":{"__proto__":[],"length":1,"0":{"uid":"p","msg":1}}}',
);

const message = fc.record(
  {
    uid: fc.oneof(oddString, fc.integer(), fc.constant(null), fc.string({ minLength: 1, maxLength: 8 })),
    msg: hostileValue,
    type: fc.oneof(fc.integer(), fc.double(), fc.string(), fc.constant(-1), fc.constant(2 ** 31)),
    clientType: fc.oneof(fc.integer(), fc.constant("0"), fc.constant(null)),
    ttlSeconds: fc.oneof(fc.integer(), fc.constant(0), fc.constant(1e12), fc.double()),
    extra: hostileValue,
  },
  { requiredKeys: [] },
);

const deep = fc.integer({ min: 50, max: 20000 }).chain((n) =>
  fc.constantFrom(
    `{"uid":"deep","msg":${"[".repeat(n)}${"]".repeat(n)}}`,
    `{"uid":"deep","msg":${'{"a":'.repeat(n)}1${"}".repeat(n)}}`,
    `{"uid":"deep","msg":${"[".repeat(n)}`,
  ),
);

const jsonBody = fc.oneof(
  { weight: 4, arbitrary: message.map((m) => utf8(JSON.stringify(m))) },
  { weight: 2, arbitrary: fc.array(message, { maxLength: 4 }).map((messages) => utf8(JSON.stringify({ messages }))) },
  { weight: 1, arbitrary: fc.json().map(utf8) },
  { weight: 1, arbitrary: protoJson.map(utf8) },
  { weight: 1, arbitrary: deep.map(utf8) },
  // truncated valid JSON
  { weight: 2, arbitrary: fc.tuple(message, fc.nat()).map(([m, cut]) => { const s = JSON.stringify(m); return utf8(s.slice(0, cut % (s.length + 1))); }) },
  // raw bytes: invalid UTF-8, lone surrogate encodings (CESU), NUL, BOMs
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)) },
  { weight: 1, arbitrary: fc.constantFrom(
    Buffer.from('{"uid":"u\xed\xa0\x80","msg":"\xc3\x28"}', "latin1"),
    Buffer.from('{"uid":"nul","msg":"a\\u0000b"}'),
    Buffer.from('{"uid":"sur","msg":"\\ud800"}'),
    Buffer.from('{"uid":"\\ud800","msg":1}'),
    Buffer.from('{"uid":"k","msg":{"\\u0000":1}}'),
    Buffer.from('\ufeff{"uid":"bom","msg":1}'),
    Buffer.from([0xff, 0xfe, 0x7b, 0x00]),
    Buffer.from('{"uid":"dup","uid":"dup2","msg":1}'),
    Buffer.from('{"uid":"big","msg":1e99999}'),
    Buffer.from('{"uid":"n","msg":123456789012345678901234567890}'),
  ) },
  // large, though under the body limits: many keys, long strings, many batch items
  { weight: 1, arbitrary: fc.integer({ min: 1000, max: 70000 }).map((n) => utf8(JSON.stringify({ uid: "big", msg: "x".repeat(n) }))) },
  { weight: 1, arbitrary: fc.integer({ min: 990, max: 1010 }).map((n) => utf8(JSON.stringify({ messages: Array.from({ length: n }, () => ({ uid: "", msg: 1 })) }))) },
);

const formBody = fc.oneof(
  fc.tuple(oddString, oddString).map(([uid, msg]) => utf8(new URLSearchParams({ uid, msg }).toString())),
  fc.string({ unit: "binary", maxLength: 100 }).map(utf8),
  fc.constantFrom("uid=&msg=", "uid=0&msg=0", "uid=a&uid=b&msg=%7B", "msg=%FF%FE&uid=%C3%28", "uid=%00&msg=1", "a=%", "%%%=&&&").map(utf8),
);

const contentType = fc.oneof(
  { weight: 6, arbitrary: fc.constant("application/json") },
  { weight: 4, arbitrary: fc.constantFrom(
    undefined, "application/json; charset=utf-8", "application/json; charset=utf-16", "APPLICATION/JSON", "application/merge-patch+json",
    "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json;;;", "json", "/", "a/b/c",
    "application/json; charset=\"", "application/xml", "*/*",
  ) },
  { weight: 1, arbitrary: fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 60 }) },
);

const auth = fc.oneof(
  { weight: 8, arbitrary: fc.constant(`Bearer ${TEST_API_KEY}`) },
  { weight: 1, arbitrary: fc.constantFrom(undefined, "", "Bearer", "Bearer ", `bearer ${TEST_API_KEY}`, `Bearer ${TEST_API_KEY} x`, `Basic ${TEST_API_KEY}`, `Bearer ${TEST_API_KEY}x`, `Bearer  \t${TEST_API_KEY}`) },
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 12000 }).map((n) => `Bearer ${"k".repeat(n)}`) },
);

const idString = fc.oneof(
  fc.constantFrom("1", "0", "-1", "9223372036854775807", "9223372036854775808", "99999999999999999999", "1e3", "0x10", "%00", "%ED%A0%80", "1.5", "%20", "null"),
  fc.bigInt({ min: 1n, max: 2n ** 70n }).map(String),
  fc.uint8Array({ maxLength: 30 }).map(pct),
);

const uidSegment = fc.oneof(
  fc.string({ minLength: 1, maxLength: 12, unit: fc.constantFrom(..."abcxyz019-_.") }),
  fc.uint8Array({ minLength: 1, maxLength: 300 }).map(pct),
  fc.constantFrom("%C3%28", "%ED%A0%80", "%00", "%F0%9F%98%80", "..", "%2E%2E", "%2F", "x".repeat(129), "x".repeat(128)),
);

const queryValue = fc.oneof(
  fc.constantFrom("", "0", "1", "200", "201", "-1", "1e309", "NaN", "Infinity", "0x10", "%205", "+5", "5.5", "50abc", "9".repeat(400), "queued", "read", "QUEUED", "%00", "%ED%A0%80"),
  fc.uint8Array({ maxLength: 20 }).map(pct),
);
const query = fc.array(fc.tuple(fc.constantFrom("limit", "before", "status", "x", "__proto__", "constructor", "limit[]", "limit[0]"), queryValue), { maxLength: 5 })
  .map((pairs) => (pairs.length ? `?${pairs.map(([k, v]) => `${k}=${v}`).join("&")}` : ""));

/** Scrambles letter case: the router matches case-insensitively, the auth guard must too. */
const anyCase = (path: string) => fc.array(fc.boolean(), { minLength: path.length, maxLength: path.length })
  .map((flags) => [...path].map((c, i) => (flags[i] ? c.toUpperCase() : c)).join(""));

const path = fc.oneof(
  { weight: 5, arbitrary: fc.constant("/api/messages") },
  { weight: 3, arbitrary: fc.constant("/api/messages/batch") },
  { weight: 3, arbitrary: fc.constant("/message") },
  { weight: 1, arbitrary: fc.constant("/api/dev/token") },
  { weight: 2, arbitrary: idString.map((id) => `/api/messages/${id}`) },
  { weight: 2, arbitrary: fc.tuple(uidSegment, query).map(([u, q]) => `/api/users/${u}/messages${q}`) },
  { weight: 1, arbitrary: uidSegment.map((u) => `/api/users/${u}/presence`) },
  { weight: 1, arbitrary: fc.constantFrom("/healthz", "/readyz", "/metrics", "/", "/api", "/api/", "//api/messages", "/api/messages/", "/message/", "/socket.io/", "/%2e%2e/etc/passwd") },
  { weight: 1, arbitrary: fc.constantFrom("/api/messages", "/message", "/api/messages/batch", "/api/dev/token").chain(anyCase) },
);

const method = fc.oneof(
  { weight: 8, arbitrary: fc.constant("POST") },
  { weight: 3, arbitrary: fc.constant("GET") },
  { weight: 1, arbitrary: fc.constantFrom("PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE", "PROPFIND") },
);

const extraHeaders = fc.record(
  {
    "idempotency-key": fc.oneof(fc.constantFrom("k1", "k2", "", " ", "\t"), fc.string({ maxLength: 300, unit: fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0x80, max: 0xff })).map((c) => String.fromCharCode(c)) })),
    "x-forwarded-for": fc.constantFrom("1.2.3.4", "garbage", "::1, 10.0.0.1", ""),
    "x-long": fc.oneof({ weight: 5, arbitrary: fc.constant("") }, { weight: 1, arbitrary: fc.integer({ min: 1000, max: 20000 }).map((n) => "h".repeat(n)) }),
    accept: fc.constantFrom("text/html", "*/*", "application/json"),
  },
  { requiredKeys: [] },
);

/** One generated HTTP request against the hub. */
export const hostileRequest: fc.Arbitrary<RawRequest> = fc
  .tuple(method, path, contentType, auth, extraHeaders, fc.oneof({ weight: 6, arbitrary: jsonBody }, { weight: 1, arbitrary: formBody }, { weight: 1, arbitrary: fc.constant(undefined) }))
  .map(([m, p, ct, a, extra, body]) => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(extra)) if (v !== undefined && v !== "") headers[k] = v;
    if (ct !== undefined) headers["content-type"] = ct;
    if (a !== undefined) headers.authorization = a;
    const sendBody = m !== "GET" && m !== "HEAD" && body !== undefined;
    return { method: m, path: p, headers, ...(sendBody ? { body } : {}) };
  });
