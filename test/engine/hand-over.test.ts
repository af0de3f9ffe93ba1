// A uid is delivered by the instance its socket is connected to; a message accepted on another instance
// is handed to that holder at once (a notice carrying the message), not left for a periodic check.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { waitFor } from "../../loadtest/support/wait-for.ts";
import { connectClient, type TestClient } from "../support/client.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { TEST_REDIS_URL } from "../support/env.ts";
import { publish } from "../support/http.ts";
import { streamStates } from "../support/stream-state.ts";
import { startTestHub, uniquePrefix, type TestHub } from "../support/test-hub.ts";

let db: TestDatabase;
let a: TestHub;
let b: TestHub;
const clients: TestClient[] = [];

before(async () => {
  db = await createTestDatabase("handover");
  // A long record interval: the holder's position in the database lags, so only the hand-over can be quick.
  const env = { REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: uniquePrefix(), ACK_TIMEOUT_MS: "60000", DELIVERY_RECORD_MS: "20000" };
  a = await startTestHub(db.url, env);
  b = await startTestHub(db.url, env);
});

after(async () => {
  for (const c of clients) c.close();
  await a?.stop();
  await b?.stop();
  await db?.drop();
});

test("a message accepted on A for a uid whose socket is on B is handed to B at once", async () => {
  const client = await connectClient(b.url, "on-b");
  clients.push(client);
  await waitFor(async () => (await streamStates(db, ["on-b"]))[0]?.leased, "the connect to grant the uid to B");
  const [held] = await streamStates(db, ["on-b"]);

  const sentAt = Date.now();
  const first = await publish(a.url, "on-b", "accepted on A");
  // The periodic safety net runs every 5 s: arriving well within that is the hand-over's doing.
  await waitFor(() => client.ids().includes(first), "the message", 2500);
  const second = await publish(a.url, "on-b", "and another");
  await waitFor(() => client.ids().includes(second), "the second message", 2500);
  assert.ok(Date.now() - sentAt < 5000);
  assert.deepEqual(client.ids(), [first, second]);
  const [after1] = await streamStates(db, ["on-b"]);
  assert.equal(after1?.holder, held?.holder, "B kept the uid: accepts elsewhere do not move it");
});
