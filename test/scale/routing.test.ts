import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { waitFor } from "../../loadtest/support/wait-for.ts";
import { messageStatus, publish } from "../support/http.ts";
import type { ScaleClient } from "./scale-client.ts";
import { startScaleCluster, type ScaleCluster } from "./scale-cluster.ts";
import { octetOf, spreadClients } from "./spread-clients.ts";

let cluster: ScaleCluster;
const clients: ScaleClient[] = [];

before(async () => {
  cluster = await startScaleCluster({ label: "routing", instances: 3 });
});

after(async () => {
  for (const c of clients) c.close();
  await cluster?.stop();
});

test("ip_hash: clients from different source addresses land on different instances, each gets its messages", async () => {
  const placed = await spreadClients(cluster, { tag: "ws", perInstance: 2, sink: clients, transports: ["websocket"] });
  const perInstance = await cluster.connections();
  assert.deepEqual(perInstance, cluster.hubs.map((_, i) => [...placed.values()].filter((x) => x === i).length));

  // through nginx, one message per uid: delivered to that uid only, and acked (→ delivered)
  const ids = new Map<ScaleClient, string>();
  for (const client of placed.keys()) ids.set(client, await publish(cluster.nginx!.url, client.uid, { to: client.uid }));
  for (const [client, id] of ids) {
    await waitFor(() => client.ids().has(id), `${client.uid}'s message`);
    assert.deepEqual([...client.ids()], [id], `${client.uid} got only its own message`);
    await waitFor(async () => (await messageStatus(cluster.nginx!.url, id)) === "delivered", `${id} acked`);
  }
  // nginx saw each client's own address and sent it to the instance counted above (a WebSocket is
  // logged when it closes)
  for (const client of placed.keys()) client.close();
  const log = await waitFor(async () => {
    const lines = await cluster.nginx!.accessLog();
    return lines.filter((l) => l.includes("transport=websocket")).length >= placed.size ? lines : null;
  }, "the closed WebSockets in the access log");
  for (const [client, instance] of placed) {
    const n = octetOf(client);
    const lines = log.filter((l) => l.startsWith(`127.0.${n}.1 -> `) && l.includes("/socket.io/"));
    assert.ok(lines.length > 0, `access log has requests from 127.0.${n}.1`);
    for (const l of lines) assert.ok(l.includes(`-> 127.0.0.1:${cluster.hubs[instance]!.port} `), l);
  }
});

test("polling-then-upgrade clients stay on one instance through the upgrade and get their messages", async () => {
  const placed = await spreadClients(cluster, { tag: "poll", perInstance: 1, sink: clients, transports: ["polling", "websocket"] });
  for (const client of placed.keys()) {
    await waitFor(() => client.socket.io.engine.transport.name === "websocket", `${client.uid} to upgrade`);
  }
  for (const client of placed.keys()) {
    const id = await publish(cluster.nginx!.url, client.uid, "after the upgrade");
    await waitFor(() => client.ids().has(id), `${client.uid}'s message`);
    await waitFor(async () => (await messageStatus(cluster.nginx!.url, id)) === "delivered", `${id} acked`);
  }
  // a polling session's requests and its upgrade must all have reached the instance owning its sid
  const log = await cluster.nginx!.accessLog();
  for (const [client, instance] of placed) {
    const n = octetOf(client);
    const lines = log.filter((l) => l.startsWith(`127.0.${n}.1 -> `) && l.includes("transport=polling"));
    assert.ok(lines.length > 0, `polling requests from 127.0.${n}.1`);
    for (const l of lines) {
      assert.ok(l.includes(`-> 127.0.0.1:${cluster.hubs[instance]!.port} `), l);
      assert.ok(/ 200 /.test(l), `polling request failed: ${l}`);
    }
  }
});

test("/metrics stays off the edge: every spelling the router accepts is 404 through nginx, 200 on an instance", async () => {
  const edge = cluster.nginx!.url;
  for (const path of ["/metrics", "/Metrics/", "/METRICS", "//metrics", "/%6detrics", "/metrics?x=1"]) {
    const res = await fetch(`${edge}${path}`);
    await res.arrayBuffer();
    assert.equal(res.status, 404, `${path} through nginx`);
  }
  for (const path of ["/metrics", "/Metrics/"]) {
    const res = await fetch(`${cluster.hubs[0]!.url}${path}`);
    assert.equal(res.status, 200, `${path} on the instance itself`);
    assert.match(await res.text(), /pushhub_connections/);
  }
});
