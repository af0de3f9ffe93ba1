// Property-based fuzzing of every HTTP route with real PostgreSQL: ≥10,000 hostile requests, then
// no 5xx, the hub alive, exactly the rows the 2xx replies named, and delivery still working.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import fc from "fast-check";
import { waitFor } from "../../loadtest/support/wait-for.ts";
import { connectClient } from "../support/client.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { TEST_API_KEY } from "../support/env.ts";
import { publish } from "../support/http.ts";
import { startTestHub, type TestHub } from "../support/test-hub.ts";
import { hostileRequest } from "./support/http-arbitraries.ts";
import { createRawClient, sendRawBytes, streamRequest, type RawRequest, type RawResponse } from "./support/raw-http.ts";

let db: TestDatabase;
let hub: TestHub;
let client: ReturnType<typeof createRawClient>;
const storedIds = new Set<string>();
const statuses = new Map<number, number>();
let sent = 0;

before(async () => {
  db = await createTestDatabase("fuzz");
  hub = await startTestHub(db.url);
  client = createRawClient(hub.url);
});

after(async () => {
  client?.close();
  await hub?.stop();
  await db?.drop();
});

const rowCount = async () => (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM messages"))[0]!.n;

const describe = (r: RawRequest | undefined) =>
  r ? `${r.method} ${r.path.slice(0, 200)} ${JSON.stringify(r.headers).slice(0, 300)} body ${r.body?.toString("utf8").slice(0, 300)}` : "?";

/** Sends one request, checks the reply is never a 5xx and has the error shape, and records stored ids. */
async function exchange(r: RawRequest): Promise<RawResponse> {
  const res = await client.send(r);
  sent++;
  statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
  assert.ok(res.status < 500, `${r.method} ${r.path} → ${res.status} ${res.body.slice(0, 300)}`);
  const json = r.method !== "HEAD" && String(res.headers["content-type"] ?? "").includes("json") ? (JSON.parse(res.body) as Record<string, any>) : null;
  // Node's own parser answers some malformed requests (400/413/431, no body, connection: close) before Koa sees them.
  const fromNode = res.headers["content-type"] === undefined && res.headers.connection === "close";
  // Engine.IO answers /socket.io/ in its own {"code","message"} shape.
  if (res.status >= 400 && r.method !== "HEAD" && !fromNode && !r.path.startsWith("/socket.io/")) {
    assert.equal(typeof json?.error?.code, "string", `${r.method} ${r.path} → ${res.status} without the error shape: ${res.body.slice(0, 200)}`);
  }
  if (res.status >= 200 && res.status < 300 && r.method === "POST" && json) {
    for (const id of [json.id, ...(Array.isArray(json.ids) ? json.ids : []), json.result?.id]) if (typeof id === "string") storedIds.add(id);
  }
  return res;
}

test("10,000 generated requests: no 5xx, and only what a 2xx acknowledged is stored", { timeout: 180_000 }, async () => {
  const before = await rowCount();
  const run = await fc.check(fc.asyncProperty(hostileRequest, async (r) => void (await exchange(r))), { numRuns: 10_000, endOnFailure: true });
  if (run.failed) assert.fail(`seed ${run.seed}: ${describe(run.counterexample?.[0])}\n${String(run.errorInstance).slice(0, 1500)}`);
  // Idempotent repeats name rows again without storing new ones, so distinct ids = new rows.
  assert.equal((await rowCount()) - before, storedIds.size, "rows stored = distinct ids acknowledged");
  const shown = [...statuses.entries()].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}:${n}`).join(" ");
  console.log(`http fuzz: ${sent} requests, statuses ${shown}, ${storedIds.size} rows acknowledged`);
  assert.equal(statuses.get(503) ?? 0, 0, "no 503 with the database up");
});

test("any letter case of a keyed path still needs the API key", async () => {
  const before = await rowCount();
  for (const path of ["/API/messages", "/Api/Messages/batch", "/api/MESSAGES", "/API/dev/token", "/API/users/x/messages", "/api/Users/x/presence"]) {
    const body = Buffer.from(path.toLowerCase().endsWith("batch") ? '{"messages":[{"uid":"case","msg":1}]}' : '{"uid":"case","msg":1}');
    const res = await exchange({ method: path.toLowerCase().includes("users") ? "GET" : "POST", path, headers: { "content-type": "application/json" }, body });
    assert.equal(res.status, 401, `${path} without a key → ${res.status}`);
  }
  assert.equal(await rowCount(), before);
});

test("oversized bodies: 413 whether announced or streamed, nothing stored", async () => {
  const before = await rowCount();
  const big = (n: number) => Buffer.from(JSON.stringify({ uid: "huge", msg: "x".repeat(n) }));
  const head = (path: string, framing: string) =>
    `POST ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TEST_API_KEY}\r\nContent-Type: application/json\r\n${framing}\r\n`;
  const chunked = (b: Buffer) => Buffer.concat([Buffer.from(`${b.length.toString(16)}\r\n`), b, Buffer.from("\r\n0\r\n\r\n")]);
  for (const [path, size] of [["/api/messages", 500_000], ["/api/messages", 2_000_000], ["/message", 600_000], ["/api/messages/batch", 9_000_000], ["/api/dev/token", 10_000]] as const) {
    const body = big(size);
    assert.equal(await streamRequest(hub.url, head(path, `Content-Length: ${body.length}\r\n`), body), 413, `${path} ${size} B announced`);
    assert.equal(await streamRequest(hub.url, head(path, "Transfer-Encoding: chunked\r\n"), chunked(body)), 413, `${path} ${size} B chunked`);
    sent += 2;
  }
  const tooBigMsg = await exchange({ method: "POST", path: "/api/messages", headers: { authorization: `Bearer ${TEST_API_KEY}`, "content-type": "application/json" }, body: big(70_000) });
  assert.equal(tooBigMsg.status, 413);
  assert.equal(JSON.parse(tooBigMsg.body).error.code, "message_too_large");
  assert.equal(await rowCount(), before);
});

test("raw bytes on the socket: truncated, lying and broken requests never get a 5xx", { timeout: 60_000 }, async () => {
  const before = await rowCount();
  const key = `Authorization: Bearer ${TEST_API_KEY}\r\n`;
  const post = (path: string, extra: string, body: string) => `POST ${path} HTTP/1.1\r\nHost: x\r\n${key}Content-Type: application/json\r\n${extra}\r\n${body}`;
  const fixed: Buffer[] = [
    Buffer.from(post("/api/messages", "Content-Length: 1000\r\n", '{"uid":"trunc","msg":1}')), // body shorter than announced
    Buffer.from(post("/api/messages", "Content-Length: 5\r\n", '{"uid":"trunc","msg":1}')), // longer than announced
    Buffer.from(post("/api/messages", "Content-Length: -1\r\n", "{}")),
    Buffer.from(post("/api/messages", "Content-Length: 1\r\nContent-Length: 2\r\n", "{}")),
    Buffer.from(post("/api/messages", "Transfer-Encoding: chunked\r\n", "zz\r\n{}\r\n0\r\n\r\n")),
    Buffer.from(post("/api/messages", "Transfer-Encoding: chunked\r\n", "5\r\n{\"uid\r\n")), // chunked, cut off
    Buffer.from(post("/api/messages", "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n", "3\r\n{}}\r\n0\r\n\r\n")),
    Buffer.from("GARBAGE\r\n\r\n"),
    Buffer.from("POST /api/messages HTTP/9.9\r\n\r\n"),
    Buffer.from(`POST /api/messages HTTP/1.1\r\nHost: x\r\nX-Bad: a\u0000b\r\n\r\n`, "latin1"),
    Buffer.from(`GET /api/users/${"%ff".repeat(3000)}/messages HTTP/1.1\r\nHost: x\r\n${key}\r\n`),
    Buffer.from(`GET /${"a".repeat(70000)} HTTP/1.1\r\nHost: x\r\n\r\n`),
    Buffer.from(`POST /message HTTP/1.1\r\nHost: x\r\n${key}Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 11\r\n\r\nuid=a&msg=`),
  ];
  const random = fc.sample(fc.uint8Array({ minLength: 1, maxLength: 400 }), { numRuns: 400, seed: 42 }).map((b) => Buffer.from(b));
  const prefixed = fc.sample(fc.tuple(fc.constantFrom("POST /api/messages HTTP/1.1\r\n", "GET /api/users/a/messages?limit=", "POST /message HTTP/1.1\r\nContent-Type: "), fc.uint8Array({ maxLength: 200 })), { numRuns: 200, seed: 7 })
    .map(([p, b]) => Buffer.concat([Buffer.from(p), Buffer.from(b)]));
  let n = 0;
  const all = [...fixed, ...random, ...prefixed];
  for (let i = 0; i < all.length; i += 20) {
    const results = await Promise.all(all.slice(i, i + 20).map((bytes) => sendRawBytes(hub.url, bytes, true, 1500)));
    for (const status of results) {
      n++;
      assert.ok(status === null || status < 500, `raw request → ${status}`);
    }
  }
  sent += n;
  assert.equal(await rowCount(), before, "truncated and broken requests store nothing");
  console.log(`raw fuzz: ${n} byte-level requests`);
});

test("after all that the hub is alive and a valid message is still delivered", async () => {
  assert.equal((await client.send({ method: "GET", path: "/healthz", headers: {} })).status, 200);
  assert.equal((await client.send({ method: "GET", path: "/readyz", headers: {} })).status, 200);
  const receiver = await connectClient(hub.url, "after-fuzz");
  try {
    const id = await publish(hub.url, "after-fuzz", { ok: true });
    await waitFor(() => receiver.ids().includes(id), "the message published after the fuzzing");
  } finally {
    receiver.close();
  }
  console.log(`http total: ${sent} requests`);
});
