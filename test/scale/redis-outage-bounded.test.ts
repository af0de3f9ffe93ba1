// Redis dies for ~5 s while producers keep publishing to clients on both instances: the hubs keep
// accepting (202), keep delivering to the sockets they hold themselves (delivery needs no Redis), keep
// their memory bounded (nothing piles up for the other instance), and once Redis is back every accepted
// message has arrived in per-uid order.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, test } from "node:test";
import { sleep, waitFor } from "../../loadtest/support/wait-for.ts";
import { startRedisServer, type RedisServer } from "../support/redis-server.ts";
import { streamStates } from "../support/stream-state.ts";
import { checkDelivery } from "./delivery-check.ts";
import { publishStream, type StreamResult } from "./publish-stream.ts";
import { connectScaleClient, type ScaleClient } from "./scale-client.ts";
import { metricValue, startScaleCluster, type ScaleCluster } from "./scale-cluster.ts";

let redis: RedisServer;
let redisDown = false;
let cluster: ScaleCluster;
const clients: ScaleClient[] = [];
let sampler: NodeJS.Timeout | undefined;
/** pushhub_messages_delivered_total of each hub, every 500 ms while Redis was down (after both noticed). */
let emitsWhileDown: (number | null)[][] | undefined;

before(async () => {
  redis = await startRedisServer();
  cluster = await startScaleCluster({ label: "redisout", instances: 2, withNginx: false, redisUrl: redis.url });
});

after(async () => {
  clearInterval(sampler);
  for (const c of clients) c.close();
  if (redisDown) await redis?.start().catch(() => undefined); // lets the hubs shut down cleanly after a failure mid-outage
  await cluster?.stop();
  await redis?.stop();
});

const rssMbOf = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;
const readyz = async (url: string) => {
  const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(3000) }).catch(() => null);
  return res ? { status: res.status, body: (await res.json().catch(() => ({}))) as { checks?: Record<string, string> } } : null;
};
const delivered = (url: string) => metricValue(url, "pushhub_messages_delivered_total");

test("Redis down for ~5 s under load: producers get only 202s, hub memory stays bounded, then every message arrives in order", { timeout: 150_000 }, async (t) => {
  for (let i = 0; i < 8; i++) clients.push(await connectScaleClient(cluster.hubs[i % 2]!.url, `ro-${i}`, { reconnection: true }));
  const uids = clients.map((c) => c.uid);
  const pids = cluster.hubs.map((h) => h.child.pid as number);
  const rssBefore = pids.map(rssMbOf);
  const peak = [...rssBefore];
  sampler = setInterval(() => pids.forEach((pid, i) => (peak[i] = Math.max(peak[i]!, rssMbOf(pid)))), 200);

  let outage: Promise<number> | undefined;
  const startOutage = () =>
    (async () => {
      const killedAt = Date.now();
      redisDown = true;
      await redis.kill();
      // Both hubs have noticed (their readiness reports Redis down), then a moment for emits already on their way.
      await waitFor(async () => {
        const r = await Promise.all(cluster.hubs.map((h) => readyz(h.url)));
        return r.every((x) => x?.status === 503 && x.body.checks?.redis === "down");
      }, "both hubs to see Redis down", 5000, 50);
      await sleep(300);
      const during: (number | null)[][] = [await Promise.all(cluster.hubs.map((h) => delivered(h.url)))];
      while (Date.now() - killedAt < 5000) {
        await sleep(500);
        during.push(await Promise.all(cluster.hubs.map((h) => delivered(h.url))));
      }
      emitsWhileDown = during;
      await redis.start();
      redisDown = false;
      return Date.now() - killedAt;
    })();

  // Two producers, one per instance, each to every uid (so deliveries cross Redis both ways).
  const streams = await Promise.all(
    cluster.hubs.map((h, i) =>
      publishStream({
        url: h.url,
        uids,
        total: 900,
        concurrency: 4,
        perSecond: 75,
        onReply: (r) => {
          if (i === 0 && !outage && r.accepted.size >= 225) outage = startOutage();
        },
      }),
    ),
  );
  assert.ok(outage, "the outage happened mid-stream");
  const downMs = await outage;
  const backAt = Date.now();
  // Redis answers again: each hub's readiness (a PING through the adapter's publisher) follows.
  const readyAgainMs = await waitFor(async () => {
    const r = await Promise.all(cluster.hubs.map((h) => readyz(h.url)));
    return r.every((x) => x?.status === 200) ? { ms: Date.now() - backAt } : null;
  }, "both hubs ready again", 15_000, 100).then((r) => r.ms, () => null);
  const readiness = await Promise.all(cluster.hubs.map(async (h) => (await readyz(h.url))?.body.checks ?? null));

  const statuses = streams.map((s) => Object.fromEntries(s.statuses));
  assert.deepEqual(statuses, [{ 202: 900 }, { 202: 900 }], "publishing never needed Redis: only 202s");

  const merged: StreamResult = {
    accepted: new Map([...streams[0]!.accepted, ...streams[1]!.accepted]),
    failed: [...streams[0]!.failed, ...streams[1]!.failed],
    statuses: new Map(),
  };
  const report = await checkDelivery(merged, new Map(clients.map((c) => [c.uid, () => c.received])), 60_000);
  const recoveredMs = Date.now() - backAt;
  clearInterval(sampler);
  const growth = peak.map((p, i) => p - rssBefore[i]!);
  t.diagnostic(
    `redis outage: ${JSON.stringify({ ...report, downMs, readyAgainMs, deliveredAllMsAfterRestart: recoveredMs, rssBeforeMb: rssBefore.map(Math.round), rssPeakMb: peak.map(Math.round) })}`,
  );
  if (report.lost > 0) {
    // What is left undelivered, per uid and stream state, and what each hub says about its deliveries.
    const missing = new Map<string, number>();
    for (const [id, p] of merged.accepted) {
      if (!clients.find((c) => c.uid === p.uid)!.ids().has(id)) missing.set(p.uid, (missing.get(p.uid) ?? 0) + 1);
    }
    const streamsNow = await streamStates(cluster.db);
    const metrics = await Promise.all(
      cluster.hubs.map(async (h) => {
        const names = ["pushhub_messages_delivered_total", "pushhub_messages_acked_total", "pushhub_ack_timeouts_total", "pushhub_messages_parked_total", "pushhub_deliveries_in_flight", "pushhub_connections"];
        return Object.fromEntries(await Promise.all(names.map(async (n) => [n.replace("pushhub_", ""), await metricValue(h.url, n)])));
      }),
    );
    t.diagnostic(`undelivered per uid: ${JSON.stringify(Object.fromEntries(missing))}; clients on hub ${clients.map((_, i) => i % 2).join("")}`);
    t.diagnostic(`streams: ${JSON.stringify(streamsNow)}`);
    t.diagnostic(`hub metrics: ${JSON.stringify(metrics)}`);
    const t0 = backAt - downMs;
    t.diagnostic(
      `clients (ms relative to the kill): ${JSON.stringify(clients.map((c) => ({ uid: c.uid, connected: c.socket.connected, connects: c.connects, outages: c.outages.map((o) => ({ down: o.down - t0, up: o.up === undefined ? null : o.up - t0, reason: o.reason })), received: c.received.length, distinct: c.ids().size })))}`,
    );
  }
  assert.equal(report.lost, 0, "every accepted message delivered");
  assert.equal(report.sameAttemptDuplicates, 0, "no attempt delivered twice");
  assert.equal(report.orderInversions, 0, "per-uid first receipts in acceptance order");
  for (const [i, g] of growth.entries()) assert.ok(g < 100, `hub ${i} RSS grew by ${g.toFixed(0)} MB (from ${rssBefore[i]!.toFixed(0)} MB)`);
  await Promise.all(cluster.hubs.map(async (h) => assert.equal(h.child.exitCode, null, `hub on :${h.port} still running`)));
  assert.ok(readyAgainMs !== null, `both hubs report Redis ok within 15 s of its return (readiness then: ${JSON.stringify(readiness)})`);
});

test("while Redis is down each hub keeps delivering to the sockets connected to it", (t) => {
  assert.ok(emitsWhileDown, "needs the outage above");
  t.diagnostic(`pushhub_messages_delivered_total [hub 0, hub 1] every 500 ms while Redis was down: ${JSON.stringify(emitsWhileDown)}`);
  const first = emitsWhileDown[0]!;
  const last = emitsWhileDown.at(-1)!;
  assert.ok(first.every((v) => v !== null), "metrics readable during the outage");
  for (const i of [0, 1]) assert.ok(last[i]! > first[i]!, `hub ${i} delivered to its own sockets while Redis was down: ${JSON.stringify(emitsWhileDown)}`);
});
