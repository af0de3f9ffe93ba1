import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { waitFor } from "../../loadtest/support/wait-for.ts";
import { publish } from "../support/http.ts";
import { checkDelivery } from "./delivery-check.ts";
import { publishStream } from "./publish-stream.ts";
import type { ScaleClient } from "./scale-client.ts";
import { startScaleCluster, type ScaleCluster } from "./scale-cluster.ts";
import { spreadClients } from "./spread-clients.ts";

let cluster: ScaleCluster;
const clients: ScaleClient[] = [];

before(async () => {
  cluster = await startScaleCluster({ label: "kill", instances: 3 });
});

after(async () => {
  for (const c of clients) c.close();
  await cluster?.stop();
});

test("SIGKILL of an instance mid-stream: its clients reconnect through nginx, every 2xx message is delivered", async (t) => {
  const placed = await spreadClients(cluster, { tag: "k", perInstance: 3, sink: clients, reconnection: true });
  const nginx = cluster.nginx!;

  // The victim is the instance the producer's address (127.0.0.1) hashes to, so in-flight publishes die
  // with it as well as its sockets and its leased deliveries.
  await publish(nginx.url, "warm-up", "find the producer's instance");
  const posts = (await nginx.accessLog()).filter((l) => l.startsWith("127.0.0.1 -> ") && l.includes("POST /api/messages"));
  const producerPort = Number(/-> 127\.0\.0\.1:(\d+) /.exec(posts.at(-1)!)![1]);
  const victim = cluster.hubs.findIndex((h) => h.port === producerPort);
  const victims = [...placed].filter(([, i]) => i === victim).map(([c]) => c);
  assert.ok(victims.length >= 3);

  const uids = [...placed.keys()].map((c) => c.uid);
  let killedAt = 0;
  const stream = await publishStream({
    url: nginx.url,
    uids,
    total: 1050,
    concurrency: 16,
    perSecond: 400,
    onReply: (r) => {
      if (killedAt === 0 && r.accepted.size >= 350) {
        killedAt = Date.now();
        cluster.hubs[victim]!.child.kill("SIGKILL");
      }
    },
  });
  assert.ok(killedAt > 0, "the kill happened mid-stream");
  assert.equal(await cluster.hubs[victim]!.exited, "SIGKILL");

  await waitFor(() => victims.every((c) => c.outages.length > 0 && c.outages.at(-1)!.up !== undefined), "the victim's clients to reconnect", 20000);
  const reconnectMs = victims.map((c) => c.outages.at(-1)!.up! - c.outages.at(-1)!.down);
  const report = await checkDelivery(stream, new Map(clients.map((c) => [c.uid, () => c.received])), 60000);
  const survivors = cluster.hubs.filter((_, i) => i !== victim);
  const connections = (await cluster.connections()).filter((_, i) => i !== victim);

  const summary = {
    ...report,
    statuses: Object.fromEntries(stream.statuses),
    reconnectMs: { max: Math.max(...reconnectMs), mean: Math.round(reconnectMs.reduce((a, b) => a + b, 0) / reconnectMs.length) },
    survivorsConnections: connections,
  };
  t.diagnostic(`instance kill: ${JSON.stringify(summary)}`);
  assert.equal(report.lost, 0, `lost messages: ${JSON.stringify(summary)}`);
  assert.equal(report.sameAttemptDuplicates, 0, "a duplicate is only ever a redelivery (a later attempt)");
  assert.ok(stream.accepted.size >= 1000, "most of the stream was accepted");
  assert.equal(connections.reduce<number>((a, b) => a + (b ?? 0), 0), clients.length, "every client is back, on the survivors");
  assert.ok(survivors.length === 2);
  assert.equal(report.orderInversions, 0, "per-uid first receipts in acceptance order");
});
