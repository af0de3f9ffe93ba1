import assert from "node:assert/strict";
import { createServer } from "node:http";
import { test } from "node:test";
import { Server } from "socket.io";
import { io } from "socket.io-client";
import { addCounters, createDeliveryCounters, framePayloads, handshakeAuth, listenForDeliveries } from "./delivery-events.ts";

test("a frame's payloads are its messages array; anything else is not a frame", () => {
  const m = { id: "1", msg: { g: 1, t: 2 } };
  assert.deepEqual(framePayloads({ messages: [m, m], unread: 3 }), [m, m]);
  assert.deepEqual(framePayloads({ messages: [] }), []);
  assert.equal(framePayloads({ messages: m }), null);
  assert.equal(framePayloads(null), null);
  assert.equal(framePayloads([m]), null);
});

test("frames are asked for in the handshake only in the frames protocol", () => {
  assert.deepEqual(handshakeAuth("tok", "frames"), { token: "tok", frames: true });
  assert.deepEqual(handshakeAuth("tok", "message"), { token: "tok" });
});

test("counters add field by field", () => {
  const a = { ...createDeliveryCounters(), frames: 2, framedMessages: 7, acksSent: 2 };
  const b = { ...createDeliveryCounters(), messageEvents: 5, acksSent: 5, noAckCallback: 1 };
  assert.deepEqual(addCounters(a, b), { messageEvents: 5, frames: 2, framedMessages: 7, acksSent: 7, noAckCallback: 1, malformedFrames: 0 });
});

test("a client takes both events from a real Socket.IO server and acks once per event", async () => {
  const http = createServer();
  const server = new Server(http, { transports: ["websocket"] });
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
  const port = (http.address() as { port: number }).port;
  const auths: unknown[] = [];
  const acked: string[] = [];
  server.on("connection", (socket) => {
    auths.push(socket.handshake.auth);
    socket.emit("message", { msg: { g: 1 } }, () => acked.push("message"));
    socket.emit("messages", { messages: [{ msg: { g: 2 } }, { msg: { g: 3 } }], unread: 2 }, (...args: unknown[]) => acked.push(`frame(${args.length})`));
    socket.emit("messages", { nope: true }, () => acked.push("bad frame"));
  });
  const client = io(`http://127.0.0.1:${port}`, { auth: handshakeAuth("tok", "frames"), transports: ["websocket"], forceNew: true });
  const counters = createDeliveryCounters();
  const payloads: unknown[] = [];
  const malformed: unknown[] = [];
  listenForDeliveries(client, counters, (p) => payloads.push(p), (f) => malformed.push(f));
  try {
    const deadline = Date.now() + 10_000;
    while (acked.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(auths, [{ token: "tok", frames: true }]);
    assert.deepEqual(payloads, [{ msg: { g: 1 } }, { msg: { g: 2 } }, { msg: { g: 3 } }]);
    assert.deepEqual(malformed, [{ nope: true }]);
    assert.deepEqual(acked, ["message", "frame(0)", "bad frame"]);
    assert.deepEqual(counters, { messageEvents: 1, frames: 2, framedMessages: 2, acksSent: 3, noAckCallback: 0, malformedFrames: 1 });
  } finally {
    client.disconnect();
    await server.close();
  }
});
