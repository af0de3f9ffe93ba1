// A client that stops reading its socket must not make the hub's memory grow without bound, and must not
// lose its messages: they stay queued and arrive once it reads again.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, test } from "node:test";
import { freePort } from "../../loadtest/support/free-port.ts";
import { startHubProcess } from "../../loadtest/support/hub-process.ts";
import type { ServiceProcess } from "../../loadtest/support/service-process.ts";
import { sleep, waitFor } from "../../loadtest/support/wait-for.ts";
import { connectClient, type TestClient } from "../support/client.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { api } from "../support/http.ts";
import { queuedCount } from "../support/stream-state.ts";

let db: TestDatabase;
let hub: ServiceProcess;
const clients: TestClient[] = [];

const rssMbOf = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;

before(async () => {
  db = await createTestDatabase("slow");
  hub = await startHubProcess(await freePort(), { DATABASE_URL: db.url, ACK_TIMEOUT_MS: "1000", RETRY_BASE_MS: "500", RETRY_MAX_MS: "2000" });
});
after(async () => {
  for (const c of clients) c.close();
  await hub?.stop();
  await db?.drop();
});

test("a client that never reads: server memory stays bounded, nothing is lost", { timeout: 120_000 }, async () => {
  const slow = await connectClient(hub.url, "sloth", { acking: false });
  clients.push(slow);
  // Stop reading at the TCP level: the kernel buffers fill and every further write queues in the hub.
  const transport = slow.socket.io.engine.transport as unknown as { ws?: { _socket?: { pause(): void } } };
  assert.ok(transport.ws?._socket, "websocket transport with a raw socket");
  transport.ws._socket.pause();

  const pid = hub.child.pid as number;
  const rssBefore = rssMbOf(pid);
  const body = "x".repeat(8 * 1024);
  const ids: string[] = [];
  for (let batch = 0; batch < 6; batch++) {
    const messages = Array.from({ length: 500 }, (_, i) => ({ uid: "sloth", msg: { n: batch * 500 + i, body } }));
    const res = await api(hub.url, "POST", "/api/messages/batch", { messages });
    assert.equal(res.status, 202);
    ids.push(...(res.body.ids as string[]));
  }
  // 3,000 × 8 KB = 24 MB addressed to a socket that reads nothing, retried every second or two.
  let peak = 0;
  for (let i = 0; i < 16; i++) {
    await sleep(500);
    peak = Math.max(peak, rssMbOf(pid));
  }
  const growth = peak - rssBefore;
  console.log(`slow reader: RSS ${rssBefore.toFixed(0)} → peak ${peak.toFixed(0)} MB (+${growth.toFixed(0)} MB) for 24 MB unread`);
  assert.ok(growth < 200, `hub RSS grew by ${growth.toFixed(0)} MB`);
  assert.equal(await queuedCount(db, "sloth"), 3000, "unacked messages stay queued");

  slow.close();
  const reader = await connectClient(hub.url, "sloth");
  clients.push(reader);
  await waitFor(() => reader.ids().length === 3000, "every message once the uid reads again", 60_000, 100);
  assert.deepEqual(reader.ids(), ids, "in acceptance order");
});
