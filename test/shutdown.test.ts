import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { freePort } from "../loadtest/support/free-port.ts";
import { startHubProcess } from "../loadtest/support/hub-process.ts";
import type { ServiceProcess } from "../loadtest/support/service-process.ts";
import { sleep, waitFor } from "../loadtest/support/wait-for.ts";
import { connectClient, type TestClient } from "./support/client.ts";
import { createTestDatabase, type TestDatabase } from "./support/database.ts";
import { deliveredCount } from "./support/stream-state.ts";
import { authHeaders } from "./support/test-hub.ts";

let db: TestDatabase;
const procs: ServiceProcess[] = [];
const clients: TestClient[] = [];

before(async () => {
  db = await createTestDatabase("shutdown");
});
after(async () => {
  for (const c of clients) c.close();
  for (const p of procs) await p.stop("SIGKILL");
  await db?.drop();
});

test("SIGTERM while accepting and delivering: every 2xx message is delivered after a restart", async () => {
  const port = await freePort();
  const env = { DATABASE_URL: db.url, ACK_TIMEOUT_MS: "1000", RETRY_BASE_MS: "200" };
  const first = await startHubProcess(port, env);
  procs.push(first);
  const uids = [...Array(10).keys()].map((i) => `term-${i}`);
  clients.push(...(await Promise.all(uids.map((uid) => connectClient(first.url, uid, { reconnection: true })))));

  const accepted: string[] = [];
  let refused = 0;
  let stop = false;
  const producer = async (worker: number) => {
    for (let n = 0; !stop && n < 2000; n++) {
      try {
        const res = await fetch(`${first.url}/api/messages`, {
          method: "POST",
          headers: authHeaders(),
          body: JSON.stringify({ uid: uids[(worker + n) % uids.length], msg: { worker, n } }),
        });
        const body = (await res.json()) as { id?: string };
        if (res.status === 202 && body.id) accepted.push(body.id);
        else refused += 1;
        if (res.status >= 500 && res.status !== 503) assert.fail(`unexpected ${res.status}`);
      } catch {
        refused += 1; // connection refused or reset once the listener is gone
        await sleep(20);
      }
    }
  };
  const producing = Promise.all([...Array(8).keys()].map(producer));
  await waitFor(() => accepted.length >= 300, "traffic before the signal", 20000);
  const code = await first.stop("SIGTERM");
  assert.equal(code, 0, `clean exit after SIGTERM:\n${first.output()}`);
  const acceptedBeforeRestart = accepted.length;
  await sleep(300);
  stop = true;
  await producing;
  assert.equal(accepted.length, acceptedBeforeRestart, "nothing accepted after the process exited");
  assert.ok(refused > 0, "the producers noticed the shutdown");

  procs.push(await startHubProcess(port, env));
  await waitFor(() => clients.every((c) => c.socket.connected), "clients reconnected to the restarted hub", 20000);
  const want = new Set(accepted);
  await waitFor(() => {
    const got = new Set(clients.flatMap((c) => c.ids()));
    return [...want].every((id) => got.has(id));
  }, `all ${want.size} accepted messages received`, 30000);
  await waitFor(async () => (await deliveredCount(db, accepted)) === want.size, "all accepted messages delivered in the table", 20000);
  const stored = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM messages");
  assert.equal(stored[0]!.n, want.size, "every stored message was acknowledged to its producer");
  console.log(`# shutdown: ${want.size} accepted, ${refused} refused, 0 lost`);
});
