// The client SDK (client/src) against a live hub on real PostgreSQL: each message handed to the app once
// across redeliveries, a forced reconnect in the middle of the delivery window and the catch-up sync
// overlapping the hub's redeliveries; token refresh after the hub refused a token; markAllRead reaching
// another device of the uid.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { Decoder, Encoder, PacketType, protocol, type Packet } from "socket.io-parser";
import { connect, type Inbox, type InboxMessage, type InboxStatus } from "../client/src/index.ts";
import { sleep, waitFor } from "../loadtest/support/wait-for.ts";
import { signToken } from "./support/client.ts";
import { createTestDatabase, type TestDatabase } from "./support/database.ts";
import { api, messageStatus, publish } from "./support/http.ts";
import { startTestHub, type TestHub } from "./support/test-hub.ts";

let db: TestDatabase;
let hub: TestHub;
const inboxes: Inbox[] = [];

/** An SDK instance with what it emitted recorded. `forceNew`: no Manager shared with another test's. */
function open(uid: string, options: Partial<Parameters<typeof connect>[0]> & { socketOptions?: object } = {}) {
  const inbox = connect({
    url: hub.url,
    token: () => signToken(uid),
    retry: { initialMs: 50, maxMs: 200 },
    ...options,
    socketOptions: { transports: ["websocket"], forceNew: true, ...options.socketOptions },
  });
  inboxes.push(inbox);
  const messages: InboxMessage[] = [];
  const statuses: InboxStatus[] = [];
  const errors: string[] = [];
  const unread: number[] = [];
  inbox.on("message", (m) => messages.push(m));
  inbox.on("status", (s) => statuses.push(s));
  inbox.on("error", (e) => errors.push(`${e.code}: ${e.message}`));
  inbox.onUnread((n) => unread.push(n));
  return { inbox, messages, statuses, errors, unread };
}

async function publishBatch(uid: string, n: number): Promise<string[]> {
  const res = await api(hub.url, "POST", "/api/messages/batch", { messages: Array.from({ length: n }, (_, i) => ({ uid, msg: { n: i } })) });
  assert.equal(res.status, 202, JSON.stringify(res.body));
  return res.body.ids as string[];
}

const increasing = (ids: string[]) => ids.every((id, i) => i === 0 || BigInt(ids[i - 1]!) < BigInt(id));

before(async () => {
  db = await createTestDatabase("client_sdk");
  hub = await startTestHub(db.url, { ACK_TIMEOUT_MS: "300", RETRY_BASE_MS: "100", RETRY_MAX_MS: "400", UNREAD_PUSH_MS: "20" });
});

after(async () => {
  for (const inbox of inboxes) inbox.close();
  await hub?.stop();
  await db?.drop();
});

test("each message once, in id order per source, across redeliveries and a forced reconnect mid-window", async () => {
  const uid = "sdk-dedupe";
  // The SDK acks every delivery; this parser (a socket.io-client option) loses the acks on the wire while
  // `dropAcks` is on — a client whose acks do not get through — and counts the messages delivered (one
  // `message` event each, or a `messages` frame of several: the SDK asks for frames).
  let dropAcks = true;
  let deliveries = 0;
  class LossyEncoder extends Encoder {
    override encode(packet: Packet) {
      if (packet.type !== PacketType.ACK) return super.encode(packet);
      return dropAcks ? [] : super.encode(packet);
    }
  }
  class CountingDecoder extends Decoder {
    constructor() {
      super();
      this.on("decoded", (packet: Packet) => {
        if (packet.type !== PacketType.EVENT || !Array.isArray(packet.data)) return;
        const [event, payload] = packet.data as [unknown, { messages?: unknown[] } | undefined];
        if (event === "message") deliveries++;
        if (event === "messages") deliveries += payload?.messages?.length ?? 0;
      });
    }
  }
  const d = open(uid, { socketOptions: { parser: { Encoder: LossyEncoder, Decoder: CountingDecoder, PacketType, protocol } } });
  await waitFor(() => d.inbox.status === "connected", "connected");
  const ids = await publishBatch(uid, 300);

  // The hub sends its window (256) and, with no ack coming, sends it again (attempt 2).
  await waitFor(() => d.messages.length === 256 && deliveries > 300, "the window delivered, then delivered again", 20_000);
  assert.equal(d.messages.filter((m) => m.source !== "live").length, 0, "all live so far");
  assert.equal(d.inbox.resumeId, ids[255], "caught up on this connection: live messages move the resume point");

  // Cut mid-window: 256 sent and never acked, 44 not sent yet.
  hub.hub.io.in(`uid:${uid}`).disconnectSockets(true);
  await waitFor(() => d.statuses.includes("disconnected"), "the SDK sees the disconnect");
  // The SDK reconnects by itself; the hub sends the unacked window again while the SDK's catch-up
  // pages from its resume point. Acks still lost, the window stays full: the rest comes through sync.
  await waitFor(() => d.messages.length === 300, "the rest caught up through sync", 20_000);
  assert.equal(d.inbox.status, "connected");
  // Now let the acks through: the hub moves on and delivers the rest live too — to be dropped as seen.
  dropAcks = false;
  await waitFor(async () => (await messageStatus(hub.url, ids[299]!)) === "delivered", "everything acked", 20_000);
  await sleep(500);

  const seen = d.messages.map((m) => m.id);
  assert.equal(new Set(seen).size, seen.length, "no id handed to the app twice");
  assert.deepEqual([...seen].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1)), ids, "every id, none missing");
  const live = d.messages.filter((m) => m.source === "live").map((m) => m.id);
  const synced = d.messages.filter((m) => m.source === "sync").map((m) => m.id);
  assert.ok(increasing(live), "live messages in id order");
  assert.ok(increasing(synced), "synced messages in id order");
  assert.deepEqual(synced, ids.slice(256), "the ones past the window came through sync");
  assert.ok(deliveries >= 300 + 256 + 256, `the hub redelivered (${deliveries} deliveries for 300 messages)`);
  assert.equal(d.inbox.lastSeenId, ids[299]);
  assert.equal(d.inbox.resumeId, ids[299]);
  assert.deepEqual(d.errors, []);
});

test("token refresh: a refused token is replaced by the next one the token function returns", async () => {
  const uid = "sdk-token";
  let calls = 0;
  const d = open(uid, {
    token: async () => (++calls === 1 ? signToken(uid, undefined, -60) : signToken(uid)), // expired, then good
  });
  await waitFor(() => d.inbox.status === "connected", "connected with the second token", 10_000);
  assert.equal(calls, 2);
  const unauthorized = d.statuses.indexOf("unauthorized");
  assert.ok(unauthorized >= 0, `status went through unauthorized: ${d.statuses.join(" → ")}`);
  assert.equal(d.statuses.indexOf("connected"), d.statuses.length - 1, `connected last: ${d.statuses.join(" → ")}`);
  assert.ok(unauthorized < d.statuses.indexOf("connected"));
  const id = await publish(hub.url, uid, "after refresh");
  await waitFor(() => d.messages.some((m) => m.id === id), "a message on the refreshed connection");

  // A token that is not a JWT at all, then a good one: same story.
  let second = 0;
  const e = open("sdk-token-2", { token: async () => (++second === 1 ? "not-a-jwt" : signToken("sdk-token-2")) });
  await waitFor(() => e.inbox.status === "connected", "connected after a bad token", 10_000);
  assert.deepEqual(e.statuses.filter((s) => s === "unauthorized" || s === "connected"), ["unauthorized", "connected"]);
  assert.equal(second, 2);
});

test("markAllRead on one device: unread 0 and readState on another device of the uid", async () => {
  const uid = "sdk-read-all";
  const phone = open(uid);
  const laptop = open(uid);
  await waitFor(() => phone.inbox.status === "connected" && laptop.inbox.status === "connected", "both connected");
  const ids = await publishBatch(uid, 5);
  await waitFor(() => phone.messages.length === 5 && laptop.messages.length === 5, "both get the 5");
  await waitFor(() => laptop.inbox.unread === 5 && phone.inbox.unread === 5, "5 unread on both");
  const readStates: unknown[] = [];
  laptop.inbox.on("readState", (e) => readStates.push(e));

  assert.equal(await phone.inbox.markAllRead(), 5);
  await waitFor(() => laptop.inbox.unread === 0, "the laptop's count drops to 0");
  assert.equal(laptop.unread.at(-1), 0);
  await waitFor(() => readStates.length === 1, "readState on the laptop");
  assert.equal((readStates[0] as { upTo?: string }).upTo, ids[4]);
  await waitFor(() => phone.inbox.unread === 0, "and on the phone");
  assert.equal((await api(hub.url, "GET", `/api/users/${uid}/unread`)).body.unread, 0);
  assert.equal(await laptop.inbox.markAllRead(), 0, "nothing left to read");
});

test('lastSeenId "0" catches up the whole history through sync (the hub refuses since "0")', async () => {
  const uid = "sdk-from-zero";
  const other = open(uid);
  const ids = await publishBatch(uid, 3);
  await waitFor(() => other.messages.length === 3, "another device gets and acks them");
  await waitFor(async () => (await messageStatus(hub.url, ids[2]!)) === "delivered", "acked position recorded");
  const d = open(uid, { lastSeenId: "0" });
  await waitFor(() => d.messages.length === 3, "the history through sync");
  assert.deepEqual(d.messages.map((m) => `${m.id}/${m.source}`), ids.map((id) => `${id}/sync`));
  await waitFor(() => d.inbox.resumeId === ids[2], "caught up: the resume point moved to the newest");
  assert.deepEqual(d.errors, []);
  assert.equal(await d.inbox.markAllRead("0"), 0);
});
