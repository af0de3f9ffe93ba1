// Input the hub used to take loosely is refused with a clear 4xx: invalid UTF-8 (two byte strings
// would become one uid), other charsets, compressed bodies it would read as plain, numbers in other
// notations in the query, and nesting past the limit however it is built. Nothing refused is stored.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { TEST_API_KEY } from "../support/env.ts";
import { api } from "../support/http.ts";
import { startTestHub, type TestHub } from "../support/test-hub.ts";
import { createRawClient } from "./support/raw-http.ts";

let db: TestDatabase;
let hub: TestHub;
let raw: ReturnType<typeof createRawClient>;

before(async () => {
  db = await createTestDatabase("strict");
  hub = await startTestHub(db.url);
  raw = createRawClient(hub.url);
});
after(async () => {
  raw?.close();
  await hub?.stop();
  await db?.drop();
});

const rowCount = async () => (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM messages"))[0]!.n;
const send = async (path: string, body: Buffer, headers: Record<string, string> = {}) => {
  const res = await raw.send({ method: "POST", path, headers: { authorization: `Bearer ${TEST_API_KEY}`, "content-type": "application/json", ...headers }, body });
  return { status: res.status, headers: res.headers, body: JSON.parse(res.body) as { error?: { code: string; message: string }; code?: number } };
};
const latin1 = (s: string) => Buffer.from(s, "latin1");

test("invalid UTF-8 in a body → 400 invalid_utf8 on every route that reads one; nothing stored", async () => {
  const before = await rowCount();
  for (const [path, body] of [
    ["/api/messages", '{"uid":"u-j\xfcrgen","msg":1}'],
    ["/api/messages", '{"uid":"u-j\xffrgen","msg":1}'],
    ["/api/messages", '{"uid":"ok","msg":"\xc3\x28"}'],
    ["/api/messages", '{"uid":"ok","msg":"\xed\xa0\x80"}'], // an encoded surrogate (CESU-8)
    ["/api/messages/batch", '{"messages":[{"uid":"u-j\xfcrgen","msg":1}]}'],
    ["/message", '{"uid":"u-j\xfcrgen","msg":"1"}'],
    ["/api/users/u/read", '{"ids":["1"],"x":"\xff"}'],
    ["/api/dev/token", '{"uid":"u-j\xfcrgen"}'],
  ] as const) {
    const res = await send(path, latin1(body));
    assert.equal(res.status, 400, `${path} ${JSON.stringify(body)}`);
    assert.equal(res.body.error?.code, "invalid_utf8", path);
  }
  const form = await send("/message", Buffer.from("uid=u-j%FCrgen&msg=hi"), { "content-type": "application/x-www-form-urlencoded" });
  assert.equal(form.status, 400);
  assert.equal(form.body.error?.code, "invalid_utf8");
  assert.equal(form.body.code, 400, "/message keeps its own shape beside the error");
  assert.equal(await rowCount(), before);
  const good = await send("/api/messages", Buffer.from('{"uid":"u-jürgen","msg":"ü"}'));
  assert.equal(good.status, 202, "valid UTF-8 is of course fine");
});

test("a charset other than UTF-8 → 415; utf-8 in any spelling is fine", async () => {
  for (const charset of ["iso-8859-1", "utf-16", "latin1", "us-ascii", "\"\""]) {
    const res = await send("/api/messages", Buffer.from('{"uid":"cs","msg":1}'), { "content-type": `application/json; charset=${charset}` });
    assert.equal(res.status, 415, charset);
    assert.equal(res.body.error?.code, "unsupported_media_type");
  }
  const form = await send("/message", Buffer.from("uid=cs&msg=1"), { "content-type": "application/x-www-form-urlencoded; charset=iso-8859-1" });
  assert.equal(form.status, 415);
  for (const charset of ["utf-8", "UTF-8", "utf8", "\"utf-8\""]) {
    const res = await send("/api/messages", Buffer.from('{"uid":"cs","msg":1}'), { "content-type": `application/json; charset=${charset}` });
    assert.equal(res.status, 202, charset);
  }
});

test("a Content-Encoding other than identity → 415 unsupported_content_encoding with Accept-Encoding", async () => {
  const before = await rowCount();
  for (const encoding of ["gzip", "br", "deflate", "gzip, identity", "x-custom"]) {
    const res = await send("/api/messages", Buffer.from('{"uid":"enc","msg":1}'), { "content-encoding": encoding });
    assert.equal(res.status, 415, encoding);
    assert.equal(res.body.error?.code, "unsupported_content_encoding");
    assert.equal(res.headers["accept-encoding"], "identity");
  }
  assert.equal(await rowCount(), before, "a gzip-labelled plain body is no longer stored as plain");
  assert.equal((await send("/api/messages", Buffer.from('{"uid":"enc","msg":1}'), { "content-encoding": "identity" })).status, 202);
});

test("a path whose percent-escapes are not UTF-8 → 400 invalid_query (one uid, one spelling)", async () => {
  for (const path of ["/api/users/u-j%FCrgen/unread", "/api/users/u-j%FFrgen/messages", "/api/users/%ED%A0%80/presence", "/api/users/50%/unread"]) {
    const res = await api(hub.url, "GET", path);
    assert.equal(res.status, 400, path);
    assert.equal(res.body.error.code, "invalid_query");
  }
  const valid = await api(hub.url, "GET", "/api/users/u-j%C3%BCrgen/unread");
  assert.equal(valid.status, 200);
  assert.equal(valid.body.uid, "u-jürgen");
});

test("integer query parameters take decimal digits only", async () => {
  for (const limit of ["0x10", "%20%205", "+5", "1e1", "5.0", "0b11", "-1", "%EF%BC%95"]) {
    const res = await api(hub.url, "GET", `/api/users/q/messages?limit=${limit}`);
    assert.equal(res.status, 400, limit);
    assert.equal(res.body.error.code, "invalid_query");
    assert.match(res.body.error.message, /limit must be 1–200/);
  }
  assert.equal((await api(hub.url, "GET", "/api/users/q/messages?limit=16")).status, 200);
  assert.equal((await api(hub.url, "GET", "/api/users/q/messages")).status, 200);
});

test("the nesting limit counts every level, arrays and objects alike", async () => {
  const nest = (n: number, open: string, close: string, inner = "") => open.repeat(n) + inner + close.repeat(n);
  const post = (msg: string) => send("/api/messages", Buffer.from(`{"uid":"deep","msg":${msg}}`));
  assert.equal((await post(nest(64, "[", "]"))).status, 202);
  assert.equal((await post(nest(64, '{"a":', "}", "{}"))).status, 400, "65 levels of objects");
  assert.equal((await post(nest(63, '{"a":', "}", "{}"))).status, 202, "64 levels of objects");
  for (const msg of [nest(65, "[", "]"), nest(32, "[", "]", nest(33, '{"a":', "}", "1")), nest(65, "[", "]", "1")]) {
    const res = await post(msg);
    assert.equal(res.status, 400, msg.slice(0, 80));
    assert.match(res.body.error!.message, /nested deeper than 64 levels/);
  }
});
