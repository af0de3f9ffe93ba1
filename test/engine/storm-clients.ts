// A child process holding a share of a reconnect storm's socket.io clients (a process has 20,000 open
// files at most: the storm is spread over several). Driven by its parent over IPC:
//   {cmd:"connect", pending?} open every client, at most `pending` handshakes under way at a time (none:
//                     all at once)                      → {event:"connected", ms, connectErrors}
//   {cmd:"reconnect"} drop every client and reopen all at once → {event:"reconnected", ms, connectErrors}
//   {cmd:"report"}    → {event:"report", received: {uid: [id, …]}, receipts, sameAttemptDuplicates, disconnects}
//   {cmd:"close"}     close every client                  → {event:"closed"}, then exits
// Every `message` is acked at once. Args: <hub url> <uid prefix> <first index> <count>.
import { io, type Socket } from "socket.io-client";
import type { MessagePayload } from "../../server/protocol/message-payload.ts";
import { signToken } from "../support/client.ts";

const [url, prefix, firstArg, countArg] = process.argv.slice(2);
if (!url || !prefix || !firstArg || !countArg || !process.send) throw new Error("usage: storm-clients <url> <prefix> <first> <count> (with an IPC channel)");
const send = (m: unknown) => process.send!(m);
const first = Number(firstArg);
const count = Number(countArg);

interface Client {
  uid: string;
  socket: Socket;
  connects: number;
}

const received = new Map<string, Set<string>>();
const attempts = new Set<string>();
let receipts = 0;
let sameAttemptDuplicates = 0;
let disconnects = 0;
let connectErrors = 0;
const errorReasons = new Map<string, number>();
let connectedNow = 0;
let waiting: { target: number; resolve: () => void } | undefined;

const uids = Array.from({ length: count }, (_, i) => `${prefix}${first + i}`);
const tokens = await Promise.all(uids.map((uid) => signToken(uid)));
const clients: Client[] = [];

const onConnected = () => {
  connectedNow++;
  if (waiting && connectedNow >= waiting.target) waiting.resolve();
};

const open = (uid: string, token: string): Client => {
  const socket = io(url, {
    auth: { token },
    transports: ["websocket"],
    forceNew: true,
    reconnection: true,
    reconnectionDelay: 500,
    reconnectionDelayMax: 3000,
    randomizationFactor: 0.5,
    timeout: 20000,
  });
  const client: Client = { uid, socket, connects: 0 };
  socket.on("connect", () => {
    client.connects++;
    onConnected();
  });
  socket.on("connect_error", (err: Error) => {
    connectErrors++;
    errorReasons.set(err.message, (errorReasons.get(err.message) ?? 0) + 1);
  });
  socket.on("disconnect", () => {
    connectedNow--;
    disconnects++;
  });
  socket.on("message", (m: MessagePayload, ack: () => void) => {
    receipts++;
    const key = `${m.id}/${m.attempt}`;
    if (attempts.has(key)) sameAttemptDuplicates++;
    attempts.add(key);
    let set = received.get(uid);
    if (!set) received.set(uid, (set = new Set()));
    set.add(m.id);
    ack();
  });
  return client;
};

const allConnected = () =>
  new Promise<void>((resolve) => {
    if (connectedNow >= count) return resolve();
    waiting = { target: count, resolve };
  });

const errors = () => {
  const out = { connectErrors, reasons: Object.fromEntries(errorReasons) };
  connectErrors = 0;
  errorReasons.clear();
  return out;
};

process.on("message", async (m: { cmd: string; pending?: number }) => {
  const started = Date.now();
  if (m.cmd === "connect") {
    const pending = m.pending && m.pending > 0 ? m.pending : count;
    let next = 0;
    const launch = () => {
      if (next >= count) return;
      const c = open(uids[next]!, tokens[next]!);
      next++;
      clients.push(c);
      c.socket.once("connect", launch);
    };
    for (let i = 0; i < pending; i++) launch();
    await allConnected();
    send({ event: "connected", ms: Date.now() - started, ...errors() });
  } else if (m.cmd === "reconnect") {
    for (const c of clients) c.socket.disconnect();
    for (const c of clients) c.socket.connect();
    await allConnected();
    send({ event: "reconnected", ms: Date.now() - started, ...errors() });
  } else if (m.cmd === "report") {
    send({
      event: "report",
      received: Object.fromEntries([...received].map(([uid, ids]) => [uid, [...ids]])),
      receipts,
      sameAttemptDuplicates,
      disconnects,
      connected: connectedNow,
    });
  } else if (m.cmd === "close") {
    for (const c of clients) c.socket.close();
    send({ event: "closed" });
    setTimeout(() => process.exit(0), 200);
  }
});
send({ event: "ready" });
