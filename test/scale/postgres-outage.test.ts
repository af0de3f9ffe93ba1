import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { sleep, waitFor } from "../../loadtest/support/wait-for.ts";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy.ts";
import { checkDelivery } from "./delivery-check.ts";
import { publishStream, type StreamResult } from "./publish-stream.ts";
import { connectScaleClient, type ScaleClient } from "./scale-client.ts";
import { startScaleCluster, type ScaleCluster } from "./scale-cluster.ts";

let proxy: TcpProxy;
let cluster: ScaleCluster;
const clients: ScaleClient[] = [];

before(async () => {
  proxy = await startTcpProxy(5432);
  cluster = await startScaleCluster({
    label: "pgout",
    instances: 2,
    withNginx: false,
    databaseUrl: (db) => {
      const url = new URL(db.url);
      url.port = String(proxy.port);
      return url.toString();
    },
  });
});

after(async () => {
  for (const c of clients) c.close();
  await proxy?.restore(); // lets the hubs shut down cleanly
  await cluster?.stop();
  await proxy?.close();
});

const readyz = async (url: string) => (await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(5000) }).catch(() => null))?.status;

test("PostgreSQL unreachable for a while: 503s meanwhile, never a 2xx for an unstored message; recovers alone, 0 lost", async (t) => {
  for (let i = 0; i < 4; i++) clients.push(await connectScaleClient(cluster.hubs[i % 2]!.url, `p-${i}`, { reconnection: true }));
  const uids = clients.map((c) => c.uid);
  const stream = (url: string, total: number, onReply?: (r: StreamResult) => void) =>
    publishStream({ url, uids, total, concurrency: 4, perSecond: 100, ...(onReply ? { onReply } : {}) });

  let cutAt = 0;
  let duringOutage: StreamResult | undefined;
  const outage = (async () => {
    await waitFor(() => cutAt > 0, "the stream to reach the cut", 60000);
    await proxy.cut();
    // Fresh publishes while the database is away: all refused, on both instances.
    duringOutage = await stream(cluster.hubs[1]!.url, 40);
    await waitFor(async () => (await readyz(cluster.hubs[0]!.url)) === 503, "readyz to report the outage", 10000);
    await sleep(1000);
    await proxy.restore();
  })();
  const main = await stream(cluster.hubs[0]!.url, 500, (r) => {
    if (cutAt === 0 && r.accepted.size >= 150) cutAt = Date.now();
  });
  await outage;
  assert.deepEqual(Object.keys(Object.fromEntries(duringOutage!.statuses)), ["503"], `during the outage: ${JSON.stringify(Object.fromEntries(duringOutage!.statuses))}`);
  for (const s of main.statuses.keys()) assert.ok(s === 202 || s === 503, `only 202 or 503, got ${s}`);

  await waitFor(async () => (await readyz(cluster.hubs[0]!.url)) === 200 && (await readyz(cluster.hubs[1]!.url)) === 200, "both ready again", 20000);
  const after = await stream(cluster.hubs[1]!.url, 40);
  assert.deepEqual(Object.fromEntries(after.statuses), { 202: 40 }, "publishing works again without a restart");

  // Every accepted message exists in the table (checked directly, not through the proxy) and was delivered.
  const accepted = new Map([...main.accepted, ...after.accepted]);
  const rows = await cluster.db.query<{ id: string }>("SELECT noce_ack::text AS id FROM messages WHERE noce_ack = ANY($1::bigint[])", [[...accepted.keys()]]);
  assert.equal(rows.length, accepted.size, "every 2xx is stored");
  const all: StreamResult = {
    accepted,
    failed: [...main.failed, ...duringOutage!.failed],
    statuses: new Map(),
  };
  const report = await checkDelivery(all, new Map(clients.map((c) => [c.uid, () => c.received])), 60000);
  t.diagnostic(`postgres outage: ${JSON.stringify({ ...report, main: Object.fromEntries(main.statuses), duringOutage: Object.fromEntries(duringOutage!.statuses) })}`);
  assert.equal(report.lost, 0);
  assert.equal(report.orderInversions, 0);
  await Promise.all(cluster.hubs.map(async (h) => assert.equal(h.child.exitCode, null, `hub on :${h.port} still running`)));
});
