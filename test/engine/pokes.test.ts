// A uid's lease lingers on the instance that delivered to it; a message accepted on another instance
// for that uid must not wait for the lease to linger out: the accepting instance pokes the holder.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { waitFor } from "../../loadtest/support/wait-for.ts";
import { connectClient, type TestClient } from "../support/client.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { TEST_REDIS_URL } from "../support/env.ts";
import { publish } from "../support/http.ts";
import { startTestHub, uniquePrefix, type TestHub } from "../support/test-hub.ts";

let db: TestDatabase;
let a: TestHub;
let b: TestHub;
const clients: TestClient[] = [];

before(async () => {
  db = await createTestDatabase("pokes");
  // A long lease, linger and record interval: without the poke, the second message would wait ~15 s.
  const env = { REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: uniquePrefix(), ACK_TIMEOUT_MS: "60000", DELIVERY_LINGER_MS: "15000", DELIVERY_RECORD_MS: "20000" };
  a = await startTestHub(db.url, env);
  b = await startTestHub(db.url, env);
});

after(async () => {
  for (const c of clients) c.close();
  await a?.stop();
  await b?.stop();
  await db?.drop();
});

test("a message accepted on A for a uid whose lease lingers on B reaches it at once (A pokes B)", async () => {
  const client = await connectClient(b.url, "lingering");
  clients.push(client);
  const first = await publish(b.url, "lingering", "leased by B");
  await waitFor(() => client.ids().includes(first), "the first message");
  const holder = await db.query<{ lease_until: Date | null }>("SELECT lease_until FROM uid_streams WHERE uid = 'lingering'");
  assert.ok(holder[0]?.lease_until && holder[0].lease_until > new Date(), "B still holds the lease (lingering)");

  const sentAt = Date.now();
  const second = await publish(a.url, "lingering", "accepted on A");
  await waitFor(() => client.ids().includes(second), "the second message", 5000);
  assert.ok(Date.now() - sentAt < 5000);
  assert.deepEqual(client.ids(), [first, second]);
});
