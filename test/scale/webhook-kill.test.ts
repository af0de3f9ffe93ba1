// SIGKILL of an instance in the middle of a webhook POST: the batch it was sending stays leased until the
// lease runs out, then the other instance sends it again (same webhook-id, same items); every event of the
// run reaches the receiver at least once and none is invented.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { waitFor } from "../../loadtest/support/wait-for.ts";
import { connectClient, type TestClient } from "../support/client.ts";
import { api, publish } from "../support/http.ts";
import { startWebhookReceiver, type WebhookReceiver } from "../support/webhook-receiver.ts";
import { startScaleCluster, type ScaleCluster } from "./scale-cluster.ts";

const run = promisify(execFile);
let cluster: ScaleCluster;
let receiver: WebhookReceiver;
const clients: TestClient[] = [];

before(async () => {
  receiver = await startWebhookReceiver();
  cluster = await startScaleCluster({
    label: "whkill",
    instances: 2,
    withNginx: false,
    env: { WEBHOOK_TIMEOUT_MS: "4000", WEBHOOK_RETRY_SCHEDULE: "200ms,200ms,200ms,200ms,200ms,200ms,200ms,200ms,200ms,200ms" },
  });
});
after(async () => {
  for (const c of clients) c.close();
  await cluster?.stop();
  await receiver?.stop();
});

/** The pid of the process on the other end of a receiver connection (its local port is `port`). */
async function senderPid(port: number): Promise<number | undefined> {
  const { stdout } = await run("ss", ["-tnpH", "state", "established", `( sport = :${port} )`]);
  const pid = /pid=(\d+)/.exec(stdout)?.[1];
  return pid ? Number(pid) : undefined;
}

test("SIGKILL of an instance mid-POST: its batch is sent again by the other, every event arrives", async (t) => {
  const [victim, survivor] = cluster.hubs as [(typeof cluster.hubs)[0], (typeof cluster.hubs)[0]];
  const created = await api(survivor.url, "POST", "/api/webhooks", { url: receiver.url, events: ["message.delivered"] });
  assert.equal(created.status, 201);
  receiver.trust(created.body.secret);
  // Every POST is held 3 s (within the 4 s timeout), so POSTs are in flight on both instances when the victim dies.
  receiver.answer({ status: 200, delayMs: 3000 });

  // Clients and producers use only the survivor: what dies with the victim is its webhook work alone.
  const uids = Array.from({ length: 8 }, (_, i) => `whk-${i}`);
  for (const uid of uids) clients.push(await connectClient(survivor.url, uid));
  // Producers keep making delivered events until one of the victim's POSTs is caught in flight.
  const ids: string[] = [];
  let producing = true;
  const producer = (async () => {
    for (let round = 0; producing && round < 200; round++) {
      for (const uid of uids) ids.push(await publish(survivor.url, uid, { round }));
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  const victimPorts = await waitFor(
    async () => {
      const ports: number[] = [];
      for (const port of receiver.inFlightPorts()) if ((await senderPid(port)) === victim.pid) ports.push(port);
      return ports.length > 0 ? ports : undefined;
    },
    "a POST of the victim in flight",
    40000,
    50,
  ).finally(() => (producing = false));
  const cut = new Set(receiver.posts.filter((p) => victimPorts.includes(p.remotePort)).map((p) => p.id));
  victim.child.kill("SIGKILL");
  await producer;
  assert.equal(await victim.exited, "SIGKILL");
  receiver.answer({ status: 200 });
  await waitFor(() => clients.every((c) => c.ids().length === ids.filter((_, k) => uids[k % uids.length] === c.uid).length), "every message received", 20000);

  const deliveredIds = () => new Set(receiver.accepted("message.delivered").map((i) => i.id));
  await waitFor(() => deliveredIds().size >= ids.length, "every delivered event", 60000, 100);
  const resent = receiver.posts.filter((p) => cut.has(p.id) && p.answered === 200 && !victimPorts.includes(p.remotePort));
  t.diagnostic(`${ids.length} events in ${receiver.posts.length} POSTs; ${cut.size} cut by the kill, ${resent.length} of them sent again`);
  assert.deepEqual(deliveredIds(), new Set(ids), "each event at least once, none invented");
  assert.ok(cut.size > 0 && resent.length >= cut.size, "the killed instance's POSTs were sent again with their webhook-id");
  assert.equal(receiver.rejected.length, 0);
});
