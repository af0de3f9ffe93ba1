// A cancel reaches a delivery session that has already read the message into its window: the message
// is never sent, the ones after it are, in order — without Redis (one instance) and with it (the
// cancel is broadcast to every instance).
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { sleep, waitFor } from "../loadtest/support/wait-for.ts";
import { connectClient, type TestClient } from "./support/client.ts";
import { createTestDatabase, type TestDatabase } from "./support/database.ts";
import { TEST_REDIS_URL } from "./support/env.ts";
import { api } from "./support/http.ts";
import { startTestHub, uniquePrefix, type TestHub } from "./support/test-hub.ts";

const dbs: TestDatabase[] = [];
const hubs: TestHub[] = [];
const clients: TestClient[] = [];

after(async () => {
  for (const c of clients) c.close();
  for (const h of hubs) await h.stop();
  for (const d of dbs) await d.drop();
});

for (const redis of [false, true]) {
  test(`a message read into the window and cancelled before it is sent never arrives (${redis ? "Redis adapter" : "single instance"})`, async () => {
    const db = await createTestDatabase("cancelwin");
    dbs.push(db);
    const env: Record<string, string> = { DELIVERY_WINDOW: "2", ACK_TIMEOUT_MS: "10000" };
    if (redis) Object.assign(env, { REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: uniquePrefix() });
    const hub = await startTestHub(db.url, env);
    hubs.push(hub);
    // Acks are held back until released: the first two fill the window, the rest wait in the session.
    const held: (() => void)[] = [];
    let release = false;
    const client = await connectClient(hub.url, "zoe", { onMessage: (_m, ack) => (release ? ack() : held.push(ack)) });
    clients.push(client);
    const res = await api(hub.url, "POST", "/api/messages/batch", { messages: [1, 2, 3, 4].map((n) => ({ uid: "zoe", msg: n })) });
    const ids = res.body.ids as string[];
    await waitFor(() => client.received.length === 2, "the window of 2");
    await sleep(200); // the session has read ahead what the window will take next
    assert.equal((await api(hub.url, "DELETE", `/api/messages/${ids[2]}`)).status, 200);
    await sleep(100);
    release = true;
    for (const ack of held.splice(0)) ack();
    await waitFor(() => client.ids().includes(ids[3]!), "the message after the cancelled one");
    await sleep(300);
    assert.deepEqual(client.ids(), [ids[0], ids[1], ids[3]], "the cancelled message was never sent");
  });
}
