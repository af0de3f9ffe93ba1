// Slow clients and connection floods against a hub process: stalled headers and bodies are cut off in
// seconds (Node's defaults wait 60 s and 300 s), a process holds at most MAX_CONNECTIONS and answers the
// next with a complete 503, and the monitoring listener (METRICS_PORT) answers probes all the while.
import assert from "node:assert/strict";
import net from "node:net";
import { after, before, test } from "node:test";
import { freePort } from "../../loadtest/support/free-port.ts";
import { startHubProcess } from "../../loadtest/support/hub-process.ts";
import type { ServiceProcess } from "../../loadtest/support/service-process.ts";
import { waitFor } from "../../loadtest/support/wait-for.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { TEST_API_KEY } from "../support/env.ts";
import { api } from "../support/http.ts";

const MAX_CONNECTIONS = 100;
const HEADERS_TIMEOUT_MS = 5000;
const REQUEST_TIMEOUT_MS = 6000;
const METRICS_TOKEN = "a-metrics-token-for-the-test";

let db: TestDatabase;
let hub: ServiceProcess;
let monitor: string;
const sockets: net.Socket[] = [];

before(async () => {
  db = await createTestDatabase("timeouts");
  const metricsPort = await freePort();
  monitor = `http://127.0.0.1:${metricsPort}`;
  hub = await startHubProcess(await freePort(), {
    DATABASE_URL: db.url,
    HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
    HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
    MAX_CONNECTIONS: String(MAX_CONNECTIONS),
    METRICS_PORT: String(metricsPort),
    METRICS_TOKEN,
  });
});
after(async () => {
  for (const s of sockets) s.destroy();
  await hub?.stop();
  await db?.drop();
});

const rowCount = async () => (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM messages"))[0]!.n;

/** Opens a connection, writes `bytes`, and resolves with what the hub sent and when it closed (ms). */
function stall(bytes: string): Promise<{ reply: string; closedAfterMs: number }> {
  const started = Date.now();
  const url = new URL(hub.url);
  return new Promise((resolve) => {
    const s = net.connect(Number(url.port), url.hostname, () => s.write(bytes));
    sockets.push(s);
    let reply = "";
    s.on("data", (d: Buffer) => (reply += d.toString("latin1")));
    s.on("error", () => undefined);
    s.on("close", () => resolve({ reply, closedAfterMs: Date.now() - started }));
  });
}

// Node checks the timeouts every second here; 3× the configured time is far below Node's own defaults.
test("stalled headers, a stalled body and a silent connection are closed with 408 within seconds", { timeout: 60_000 }, async () => {
  const before = await rowCount();
  const key = `Authorization: Bearer ${TEST_API_KEY}\r\n`;
  const [headers, body, silent] = await Promise.all([
    stall(`GET /healthz HTTP/1.1\r\nHost: x\r\n`),
    stall(`POST /api/messages HTTP/1.1\r\nHost: x\r\n${key}Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"uid":"stall","msg":`),
    stall(""),
  ]);
  for (const [label, r, limit] of [["headers", headers, HEADERS_TIMEOUT_MS], ["body", body, REQUEST_TIMEOUT_MS], ["silent", silent, HEADERS_TIMEOUT_MS]] as const) {
    console.log(`${label}: closed after ${r.closedAfterMs} ms with ${JSON.stringify(r.reply.split("\r\n")[0])}`);
    assert.match(r.reply, /^HTTP\/1\.1 408 /, label);
    assert.ok(r.closedAfterMs < 3 * limit, `${label}: closed after ${r.closedAfterMs} ms`);
  }
  assert.equal(await rowCount(), before, "the stalled message was not stored");
});

test("past MAX_CONNECTIONS: a complete 503 too_many_connections; the monitoring port answers throughout", { timeout: 60_000 }, async () => {
  const before = await rowCount();
  const url = new URL(hub.url);
  let closedByHub = 0;
  const idle = await Promise.all(
    Array.from({ length: MAX_CONNECTIONS }, () => new Promise<net.Socket>((resolve) => {
      const s = net.connect(Number(url.port), url.hostname, () => resolve(s));
      s.on("error", () => undefined);
      s.on("close", () => closedByHub++);
      s.resume();
      sockets.push(s);
    })),
  );
  // Accepted by the hub before the next one is counted against the cap.
  await waitFor(() => idle.every((s) => s.readyState === "open"), "the idle connections");
  const refused = await fetch(`${hub.url}/healthz`);
  assert.equal(refused.status, 503);
  assert.equal(refused.headers.get("retry-after"), "1");
  assert.equal(((await refused.json()) as { error: { code: string } }).error.code, "too_many_connections");
  const post = await stall(`POST /api/messages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TEST_API_KEY}\r\nContent-Type: application/json\r\nContent-Length: 23\r\n\r\n{"uid":"over","msg":1}\n`);
  assert.match(post.reply, /^HTTP\/1\.1 503 /);
  assert.equal(await rowCount(), before, "a request on a refused connection is never run");

  for (const path of ["/healthz", "/readyz"]) assert.equal((await fetch(monitor + path)).status, 200, `${path} on METRICS_PORT`);
  const metrics = await fetch(`${monitor}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  assert.equal(metrics.status, 200);
  assert.ok((await readLabelledMetricWithToken("pushhub_connections_refused_total")) >= 2);

  // The idle ones send nothing: the headers timeout closes them, and the hub takes connections again.
  await waitFor(async () => (await api(hub.url, "GET", "/healthz").catch(() => ({ status: 0 }))).status === 200, "room again", 3 * HEADERS_TIMEOUT_MS, 250);
  await waitFor(() => closedByHub === MAX_CONNECTIONS, "every idle connection closed by the hub");
});

test("/metrics with METRICS_TOKEN names the token it wants, not an API key", async () => {
  const missing = await api(monitor, "GET", "/metrics", undefined, { authorization: "" });
  assert.equal(missing.status, 401);
  assert.match(missing.body.error.message, /^Missing metrics token/);
  const wrong = await api(monitor, "GET", "/metrics", undefined, { authorization: `Bearer ${TEST_API_KEY}` });
  assert.equal(wrong.status, 401);
  assert.equal(wrong.body.error.message, "Invalid metrics token");
});

async function readLabelledMetricWithToken(name: string): Promise<number> {
  const text = await (await fetch(`${monitor}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  return Number(line?.slice(name.length + 1) ?? Number.NaN);
}
