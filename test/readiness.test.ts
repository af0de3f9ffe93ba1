import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { waitFor } from "../loadtest/support/wait-for.ts";
import { connectClient, type TestClient } from "./support/client.ts";
import { createTestDatabase, type TestDatabase } from "./support/database.ts";
import { cutDatabase, restoreDatabase } from "./support/database-outage.ts";
import { api, publish } from "./support/http.ts";
import { startTestHub, type TestHub } from "./support/test-hub.ts";

let db: TestDatabase;
let hub: TestHub;
let client: TestClient | undefined;

before(async () => {
  db = await createTestDatabase("ready");
  hub = await startTestHub(db.url);
});
after(async () => {
  client?.close();
  await restoreDatabase(db.name).catch(() => undefined);
  await hub?.stop();
  await db?.drop();
});

test("database unreachable → /readyz 503 naming it, producers get 503 (never 2xx); recovers by itself", { timeout: 120_000 }, async () => {
  client = await connectClient(hub.url, "patient");
  const early = await publish(hub.url, "patient", "before the outage");
  await waitFor(() => client!.ids().includes(early), "delivery before the outage");

  await cutDatabase(db.name);
  const ready = await api(hub.url, "GET", "/readyz");
  assert.equal(ready.status, 503);
  assert.equal(ready.body.checks.database, "down");
  assert.equal((await api(hub.url, "GET", "/healthz")).status, 200, "alive while not ready");

  for (let i = 0; i < 5; i++) {
    const res = await api(hub.url, "POST", "/api/messages", { uid: "patient", msg: { during: i } });
    assert.equal(res.status, 503, JSON.stringify(res.body));
    assert.equal(res.body.error.code, "store_unavailable");
    assert.ok(res.headers.get("retry-after"));
  }
  const batch = await api(hub.url, "POST", "/api/messages/batch", { messages: [{ uid: "patient", msg: 1 }] });
  assert.equal(batch.status, 503);
  const seed = await api(hub.url, "POST", "/message", { uid: "patient", msg: "x" });
  assert.equal(seed.status, 503);
  assert.equal((await api(hub.url, "GET", `/api/messages/${early}`)).status, 503);

  await restoreDatabase(db.name);
  await waitFor(async () => (await api(hub.url, "GET", "/readyz")).status === 200, "ready again", 15000, 200);
  const later = await publish(hub.url, "patient", "after the outage");
  await waitFor(() => client!.ids().includes(later), "delivery after recovery", 15000);
  const rows = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM messages");
  assert.equal(rows[0]!.n, 2, "nothing from the outage was stored");
});
