// SIGKILL of the instance in the middle of a 100,000-subscriber fan-out: the publish was stored before
// its 202, the chunks committed before the kill stay, the one in flight leaves nothing, and the restarted
// instance resumes at the cursor — every subscriber at the publish ends with exactly one message row.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { freePort } from "../../loadtest/support/free-port.ts";
import { startHubProcess } from "../../loadtest/support/hub-process.ts";
import type { ServiceProcess } from "../../loadtest/support/service-process.ts";
import { waitFor } from "../../loadtest/support/wait-for.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { api } from "../support/http.ts";

const SUBSCRIBERS = 100_000;
let db: TestDatabase;
let hub: ServiceProcess | undefined;
let port: number;

const start = async () => {
  hub = await startHubProcess(port, { DATABASE_URL: db.url, TOPIC_FANOUT_CHUNK: "1000" }, { label: "topic-kill" });
  return hub;
};

before(async () => {
  db = await createTestDatabase("topickill");
  port = await freePort();
  await start();
});
after(async () => {
  await hub?.stop("SIGTERM", 10_000);
  await db?.drop();
});

test("SIGKILL mid fan-out of 100,000: after the restart every subscriber has exactly one row", async (t) => {
  const url = hub!.url;
  const uids = Array.from({ length: SUBSCRIBERS }, (_, i) => `k${String(i).padStart(6, "0")}`);
  for (let i = 0; i < uids.length; i += 10_000) {
    const res = await api(url, "PUT", "/api/topics/all/subscribers", { uids: uids.slice(i, i + 10_000) });
    assert.equal(res.status, 200, JSON.stringify(res.body));
  }
  const published = await api(url, "POST", "/api/topics/all/messages", { msg: { alert: "everyone" } });
  assert.equal(published.status, 202, JSON.stringify(published.body));
  const { id, recipients } = published.body as { id: string; recipients: number };
  assert.equal(recipients, SUBSCRIBERS);

  const fannedOut = async () => Number((await db.query<{ n: string }>("SELECT fanned_out AS n FROM topic_publishes WHERE id = $1", [id]))[0]?.n);
  await waitFor(async () => (await fannedOut()) >= 5000, "the fan-out to be under way", 30_000, 5);
  await hub!.stop("SIGKILL");
  const atKill = await fannedOut();
  t.diagnostic(`killed with ${atKill} of ${SUBSCRIBERS} fanned out`);
  assert.ok(atKill < SUBSCRIBERS, "the kill came before the fan-out finished");

  const restarted = await start();
  const began = Date.now();
  await waitFor(async () => (await api(restarted.url, "GET", `/api/topics/all/messages/${id}`)).body.status === "done", "the fan-out to finish after the restart", 60_000, 50);
  t.diagnostic(`the restarted instance finished the remaining ${SUBSCRIBERS - atKill} in ${Date.now() - began} ms (its start-up scan included)`);

  const [rows] = await db.query<{ n: string; uids: string; most: string }>(
    "SELECT count(*) AS n, count(DISTINCT to_uid) AS uids, COALESCE(max(c), 0) AS most FROM (SELECT to_uid, count(*) OVER (PARTITION BY to_uid) AS c FROM messages WHERE publish_id = $1) r",
    [id],
  );
  assert.deepEqual({ rows: Number(rows?.n), uids: Number(rows?.uids), most: Number(rows?.most) }, { rows: SUBSCRIBERS, uids: SUBSCRIBERS, most: 1 });
  const [missing] = await db.query<{ n: string }>(
    "SELECT count(*) AS n FROM topic_subscriptions s WHERE s.topic = 'all' AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.to_uid = s.uid AND m.publish_id = $1)",
    [id],
  );
  assert.equal(Number(missing?.n), 0, "no subscriber is missing");
  // The chunk the kill interrupted left nothing behind: every head counts exactly one message.
  const [heads] = await db.query<{ n: string }>("SELECT count(*) AS n FROM uid_heads WHERE uid LIKE 'k%' AND last_seq <> 1");
  assert.equal(Number(heads?.n), 0);
  const status = (await api(restarted.url, "GET", `/api/topics/all/messages/${id}`)).body;
  assert.equal(status.fannedOut, SUBSCRIBERS);
});
