import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { test, type TestContext } from "node:test";
import { createWebhookSender, type PostResult } from "./create-webhook-sender.ts";

interface Received {
  method: string | undefined;
  url: string | undefined;
  headers: IncomingMessage["headers"];
  body: string;
}

/** A real receiver on 127.0.0.1 that records what reaches it; closed (with its connections) when the test ends. */
async function receiver(t: TestContext, answer: (req: IncomingMessage, res: ServerResponse) => void) {
  const received: Received[] = [];
  let connections = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      answer(req, res);
    });
  });
  server.on("connection", () => connections++);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, port, received, connections: () => connections };
}

function sender(t: TestContext, opts: { allowPrivate?: boolean; timeoutMs?: number } = {}) {
  const s = createWebhookSender({ allowPrivate: opts.allowPrivate ?? true, timeoutMs: opts.timeoutMs ?? 5000, userAgent: "push-hub-test/1" });
  t.after(() => s.close());
  return s;
}

const post = (url: string) => ({ url, headers: { "webhook-id": "msg_1" }, body: '{"type":"test"}' });

function failed(result: PostResult) {
  assert.equal(result.outcome, "failed", JSON.stringify(result));
  return result as Extract<PostResult, { outcome: "failed" }>;
}

test("a 2xx is ok; the receiver gets the exact body and headers", async (t) => {
  const hook = await receiver(t, (_req, res) => res.writeHead(202).end("thanks"));
  const body = JSON.stringify({ type: "user.online", data: [{ uid: "ü-1", at: "2025-01-01T00:00:00Z" }] });
  const headers = { "webhook-id": "msg_9", "webhook-timestamp": "1735689600", "webhook-signature": "v1,abc v1,def" };
  const result = await sender(t).post({ url: hook.url, headers, body });
  assert.equal(result.outcome, "ok");
  assert.equal(result.status, 202);
  assert.ok(result.durationMs >= 0);
  const [got] = hook.received;
  assert.equal(got?.method, "POST");
  assert.equal(got?.url, "/hook");
  assert.equal(got?.body, body);
  assert.equal(got?.headers["content-type"], "application/json");
  assert.equal(got?.headers["user-agent"], "push-hub-test/1");
  assert.equal(got?.headers["content-length"], String(Buffer.byteLength(body)));
  for (const [name, value] of Object.entries(headers)) assert.equal(got?.headers[name], value);
});

test("a 500 fails with its status", async (t) => {
  const hook = await receiver(t, (_req, res) => res.writeHead(500).end("boom"));
  const result = failed(await sender(t).post(post(hook.url)));
  assert.equal(result.status, 500);
  assert.equal(result.error, "HTTP 500");
  assert.equal(result.retryAfterMs, undefined);
});

test("a 410 means gone", async (t) => {
  const hook = await receiver(t, (_req, res) => res.writeHead(410).end());
  const result = await sender(t).post(post(hook.url));
  assert.equal(result.outcome, "gone");
  assert.equal(result.status, 410);
});

test("Retry-After on a 503 or 429 is passed on in ms", async (t) => {
  const busy = await receiver(t, (_req, res) => res.writeHead(503, { "retry-after": "7" }).end());
  const unavailable = failed(await sender(t).post(post(busy.url)));
  assert.equal(unavailable.status, 503);
  assert.equal(unavailable.retryAfterMs, 7000);
  const limited = await receiver(t, (_req, res) => res.writeHead(429, { "retry-after": "120" }).end());
  assert.equal(failed(await sender(t).post(post(limited.url))).retryAfterMs, 120_000);
});

test("a receiver that never answers fails with a timeout within timeoutMs", async (t) => {
  const hook = await receiver(t, () => {});
  const startedAt = Date.now();
  const result = failed(await sender(t, { timeoutMs: 300 }).post(post(hook.url)));
  const took = Date.now() - startedAt;
  assert.equal(result.error, "timed out after 300 ms");
  assert.equal(result.status, undefined);
  assert.ok(took >= 290 && took < 800, `took ${took} ms`);
});

test("a redirect is not followed", async (t) => {
  const target = await receiver(t, (_req, res) => res.writeHead(200).end());
  const hook = await receiver(t, (_req, res) => res.writeHead(302, { location: target.url }).end());
  const result = failed(await sender(t).post(post(hook.url)));
  assert.equal(result.status, 302);
  assert.match(result.error, /redirects are not followed/);
  assert.equal(target.received.length, 0);
});

test("a huge answer is cut after 64 KiB instead of being read to the end", async (t) => {
  let closedEarly: Promise<void> = Promise.resolve();
  const hook = await receiver(t, (req, res) => {
    req.socket.on("error", () => {}); // the sender resets the connection mid-answer
    closedEarly = new Promise((resolve) => req.socket.once("close", () => resolve()));
    res.writeHead(200, { "content-type": "application/octet-stream" });
    const chunk = Buffer.alloc(64 * 1024, 120);
    let sent = 0;
    // Written as the socket drains, so the answer is only ever as fast as the sender reads it.
    const writeMore = () => {
      while (sent < 10 * 1024 * 1024) {
        sent += chunk.length;
        if (!res.write(chunk)) return void res.once("drain", writeMore);
      }
      res.end();
    };
    writeMore();
  });
  const startedAt = Date.now();
  const result = await sender(t, { timeoutMs: 10_000 }).post(post(hook.url));
  assert.equal(result.outcome, "ok");
  assert.ok(Date.now() - startedAt < 2000, `took ${Date.now() - startedAt} ms`);
  await closedEarly; // the connection was destroyed rather than drained
});

test("a slow answer body is bounded by the same deadline", async (t) => {
  const hook = await receiver(t, (_req, res) => {
    res.writeHead(200);
    res.write("partial");
  });
  const startedAt = Date.now();
  const result = await sender(t, { timeoutMs: 300 }).post(post(hook.url));
  assert.equal(result.outcome, "ok", "the status was the receiver's answer");
  assert.ok(Date.now() - startedAt < 800, `took ${Date.now() - startedAt} ms`);
});

test("without allowPrivate a loopback literal is refused before any connection is made", async (t) => {
  const hook = await receiver(t, (_req, res) => res.writeHead(200).end());
  const publicOnly = sender(t, { allowPrivate: false });
  assert.equal(failed(await publicOnly.post(post(hook.url))).error, "127.0.0.1 is not a public address");
  const mapped = failed(await publicOnly.post(post(`http://[::ffff:127.0.0.1]:${hook.port}/hook`)));
  assert.equal(mapped.error, "::ffff:7f00:1 is not a public address");
  assert.equal(hook.connections(), 0);
  assert.equal(hook.received.length, 0);
});

test("without allowPrivate a host name resolving to loopback is refused at connect time", async (t) => {
  const hook = await receiver(t, (_req, res) => res.writeHead(200).end());
  const result = failed(await sender(t, { allowPrivate: false }).post(post(`http://localhost:${hook.port}/hook`)));
  assert.match(result.error, /^(127\.0\.0\.1|::1) is not a public address$/);
  assert.equal(hook.connections(), 0);
});

test("a refused connection fails with the connect error", async (t) => {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, "close");
  const result = failed(await sender(t).post(post(`http://127.0.0.1:${port}/hook`)));
  assert.equal(result.error, `connect ECONNREFUSED 127.0.0.1:${port}`);
});

test("a malformed URL fails instead of throwing", async (t) => {
  const result = failed(await sender(t).post(post("not a url")));
  assert.ok(result.error.length > 0);
});

test("posts to one receiver reuse kept-alive connections", async (t) => {
  const hook = await receiver(t, (_req, res) => res.writeHead(200).end("ok"));
  const s = sender(t);
  for (let i = 0; i < 5; i++) assert.equal((await s.post(post(hook.url))).outcome, "ok");
  assert.equal(hook.received.length, 5);
  // undici's pool opens a second connection when a post follows the first one's answer at once.
  assert.ok(hook.connections() <= 2, `${hook.connections()} connections`);
});
