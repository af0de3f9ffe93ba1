/**
 * PROTOCOL FIXTURE — NOT THE HUB. Each test starts an in-process socket.io Server that implements only
 * the sliver of the hub protocol the test needs (a refused handshake, a message with an ack, a sync
 * page, a read reply), to check the SDK's wiring: token refresh and retries, acks, dedupe, catch-up
 * after a reconnect, request errors. What the real hub does is tested against a real hub elsewhere.
 */
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, describe, it } from "node:test";
import { Server, type Socket } from "socket.io";
import { connect, HubClientError, type Inbox, type InboxEvents, type InboxStatus } from "../src/index.ts";
import type { MessagePayload, SyncMessage } from "../src/protocol.ts";

const cleanup: (() => void)[] = [];
after(() => cleanup.forEach((f) => f()));

async function fixture(onConnection: (socket: Socket) => void, accept = (token: unknown) => token === "good") {
  const http = createServer();
  const io = new Server(http);
  io.use((socket, next) => next(accept(socket.handshake.auth.token) ? undefined : new Error("unauthorized")));
  io.on("connection", onConnection);
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  cleanup.push(() => void io.close());
  return `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
}

function open(options: Parameters<typeof connect>[0]): Inbox {
  const inbox = connect({ retry: { initialMs: 10, maxMs: 50 }, socketOptions: { transports: ["websocket"] }, ...options });
  cleanup.push(() => inbox.close());
  return inbox;
}

const next = <E extends keyof InboxEvents>(inbox: Inbox, event: E) =>
  new Promise<InboxEvents[E]>((resolve) => {
    const off = inbox.on(event, (value) => (off(), resolve(value)));
  });

const live = (id: string, attempt = 1): MessagePayload => ({ id, type: 4, clientType: 0, msg: { n: id }, createdAt: "2025-01-01T00:00:00.000Z", attempt });
const stored = (id: string): SyncMessage => ({ id, type: 4, clientType: 0, msg: { n: id }, createdAt: "2025-01-01T00:00:00.000Z", status: "delivered", readAt: null });

/** Answers `sync` from a fixed log of ids, recording each `since`. */
function serveSync(socket: Socket, ids: string[], asked: (string | undefined)[]) {
  socket.on("sync", (req: { since?: string; limit?: number }, ack: (reply: unknown) => void) => {
    asked.push(req.since);
    const limit = req.limit ?? 100;
    const rest = ids.filter((id) => req.since === undefined || BigInt(id) > BigInt(req.since));
    const messages = rest.slice(0, limit).map(stored);
    ack({ messages, next: rest.length > limit ? messages.at(-1)!.id : null, unread: 1 });
  });
}

describe("the SDK against a protocol fixture", () => {
  it("asks for a fresh token after an unauthorized handshake and connects with it", async () => {
    const url = await fixture(() => {});
    const tokens = ["expired", "good"];
    let asked = 0;
    const inbox = open({ url, token: async () => (asked++, tokens.shift() ?? "good") });
    const statuses: InboxStatus[] = [];
    inbox.on("status", (s) => statuses.push(s));
    await until(() => inbox.status === "connected");
    assert.deepEqual(statuses, ["unauthorized", "connecting", "connected"]);
    assert.equal(asked, 2);
  });

  it("acks every delivery, duplicates and throwing listeners included, and hands each id over once", async () => {
    const acks: string[] = [];
    let finished = () => {};
    const done = new Promise<void>((resolve) => (finished = resolve));
    const url = await fixture(async (socket) => {
      for (const payload of [live("7"), live("7", 2), live("8")]) {
        await socket.timeout(2000).emitWithAck("message", payload);
        acks.push(`${payload.id}#${payload.attempt}`);
      }
      finished();
    });
    const inbox = open({ url, token: "good" });
    const got: string[] = [];
    const errors: string[] = [];
    inbox.on("error", (err) => errors.push(err.code));
    inbox.on("message", (m) => {
      got.push(`${m.id}:${m.source}`);
      throw new Error("a bug in the app");
    });
    await done;
    assert.deepEqual(acks, ["7#1", "7#2", "8#1"]);
    assert.deepEqual(got, ["7:live", "8:live"]);
    assert.deepEqual(errors, ["listener_failed", "listener_failed"]);
    assert.equal(inbox.lastSeenId, "8");
  });

  it("catches up from lastSeenId page by page, skipping what already came live", async () => {
    const asked: (string | undefined)[] = [];
    const url = await fixture((socket) => {
      socket.emit("message", live("3"), () => {});
      serveSync(socket, ["1", "2", "3", "4", "5"], asked);
    });
    const inbox = open({ url, token: "good", lastSeenId: "1", pageSize: 2 });
    const got: string[] = [];
    inbox.on("message", (m) => got.push(`${m.id}:${m.source}`));
    await until(() => got.length === 4);
    assert.deepEqual(got, ["3:live", "2:sync", "4:sync", "5:sync"]);
    assert.deepEqual(asked, ["1", "3"]);
    assert.equal(inbox.unread, 1); // from the sync replies
  });

  it("reconnects after the server drops it and catches up from where it got to", async () => {
    const asked: (string | undefined)[] = [];
    let connections = 0;
    const url = await fixture(async (socket) => {
      serveSync(socket, ["1", "2", "3"], asked);
      if (++connections > 1) return;
      await socket.timeout(2000).emitWithAck("message", live("1"));
      socket.disconnect(true);
    });
    const inbox = open({ url, token: "good" });
    const got: string[] = [];
    inbox.on("message", (m) => got.push(`${m.id}:${m.source}`));
    await until(() => got.length === 3);
    assert.deepEqual(got, ["1:live", "2:sync", "3:sync"]);
    assert.deepEqual(asked, ["1"]); // no catch-up on the first connect: nothing was known yet
    assert.equal(inbox.resumeId, "3");
  });

  it("sends requests once connected and turns replies, errors and silence into results", async () => {
    const url = await fixture((socket) => {
      socket.on("read", (req: { ids: string[] }, ack: (r: unknown) => void) =>
        ack(req.ids.includes("0") ? { error: { code: "invalid_payload", message: "no such id" } } : { updated: req.ids.length }),
      );
      socket.on("readUpTo", (req: { id: string }, ack: (r: unknown) => void) => ack({ updated: Number(req.id) }));
      socket.on("sync", () => {}); // never answers
      socket.emit("unread", { count: 4 });
      socket.emit("readState", { upTo: "9", readAt: "2025-01-01T00:00:00.000Z" });
    });
    const inbox = open({ url, token: "good", requestTimeoutMs: 100, lastSeenId: "12", syncOnConnect: false });
    const unread = next(inbox, "unread");
    const readState = next(inbox, "readState");
    assert.equal(await inbox.markRead(["1", "2", "2"]), 2); // made before the connection is up
    assert.equal(await unread, 4);
    assert.deepEqual(await readState, { upTo: "9", readAt: "2025-01-01T00:00:00.000Z" });
    assert.equal(await inbox.markAllRead(), 12);
    await assert.rejects(inbox.markRead(["0"]), (err) => err instanceof HubClientError && err.code === "invalid_payload");
    await assert.rejects(inbox.sync(), (err) => err instanceof HubClientError && err.code === "timeout");
    await assert.rejects(inbox.sync({ limit: 0 }), (err) => err instanceof HubClientError && err.code === "invalid_argument");
    const pending = inbox.sync();
    inbox.close();
    await assert.rejects(pending, (err) => err instanceof HubClientError && err.code === "closed");
    assert.equal(inbox.status, "disconnected");
  });
});

async function until(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
