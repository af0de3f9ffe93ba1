import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { sleep, waitFor } from "../../loadtest/support/wait-for.ts";
import { startRedisServer, type RedisServer } from "../support/redis-server.ts";
import { checkDelivery } from "./delivery-check.ts";
import { publishStream } from "./publish-stream.ts";
import { connectScaleClient, type ScaleClient } from "./scale-client.ts";
import { metricValue, startScaleCluster, type ScaleCluster } from "./scale-cluster.ts";

let redis: RedisServer;
let cluster: ScaleCluster;
const clients: ScaleClient[] = [];

before(async () => {
  redis = await startRedisServer();
  cluster = await startScaleCluster({ label: "redis", instances: 2, withNginx: false, redisUrl: redis.url });
});

after(async () => {
  for (const c of clients) c.close();
  await cluster?.stop();
  await redis?.stop();
});

test("the adapter's Redis restarts (empty) mid-stream: nothing accepted is lost, delivery resumes", async (t) => {
  // Clients on both instances; the producer talks to instance 0 only, so half the deliveries cross Redis.
  for (let i = 0; i < 6; i++) {
    clients.push(await connectScaleClient(cluster.hubs[i % 2]!.url, `r-${i}`, { reconnection: true }));
  }
  let outageAt = 0;
  let restarted: Promise<void> | undefined;
  const stream = await publishStream({
    url: cluster.hubs[0]!.url,
    uids: clients.map((c) => c.uid),
    total: 600,
    concurrency: 8,
    perSecond: 150,
    onReply: (r) => {
      if (outageAt === 0 && r.accepted.size >= 200) {
        outageAt = Date.now();
        restarted = redis.kill().then(() => sleep(2000)).then(() => redis.start());
      }
    },
  });
  await restarted;
  const back = Date.now();
  assert.ok(outageAt > 0);
  // Publishing never needed Redis: every reply was a 202.
  assert.deepEqual(Object.fromEntries(stream.statuses), { 202: 600 });

  const report = await checkDelivery(stream, new Map(clients.map((c) => [c.uid, () => c.received])), 60000);
  const resumedMs = Date.now() - back;
  // After the restart, a fresh message still crosses instances within a second or two.
  const probe = await fetch(`${cluster.hubs[0]!.url}/api/messages`, {
    method: "POST",
    headers: { authorization: "Bearer dev-key", "content-type": "application/json" },
    body: JSON.stringify({ uid: "r-1", msg: { seq: -1 } }),
  });
  const { id } = (await probe.json()) as { id: string };
  await waitFor(() => clients[1]!.ids().has(id), "a cross-instance message after the restart", 10000);
  await waitFor(async () => (await metricValue(cluster.hubs[1]!.url, "pushhub_connections")) === 3, "instance 1's clients");

  t.diagnostic(`redis restart: ${JSON.stringify({ ...report, allDeliveredMsAfterRestart: resumedMs, clientOutages: clients.map((c) => c.outages.length) })}`);
  assert.equal(report.lost, 0);
  assert.equal(report.orderInversions, 0);
});
