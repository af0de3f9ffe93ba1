// The attacker of test/hardening/inbox-isolation.test.ts as a process of its own (its sockets must not
// share an event loop with the producers being measured). Once loaded it prints "start <epoch ms>", a
// second ahead; from then one cycle every `periodMs`, `cycles` times: `sockets` sockets of one uid each
// send `syncs` `sync {since: "0", limit: 500}` requests and close `closeAfterMs` later. Last it prints one
// JSON line: how the acks that arrived before the sockets closed were answered.
import { io, type Socket } from "socket.io-client";

const [url, token, ...numbers] = process.argv.slice(2);
const [cycles, periodMs, sockets, syncs, closeAfterMs] = numbers.map(Number);
if (!url || !token || closeAfterMs === undefined) {
  throw new Error("usage: sync-flood.ts <url> <token> <cycles> <periodMs> <sockets> <syncs> <closeAfterMs>");
}
// Scheduled from here, once loading (compiling the TypeScript) is over, so it never compresses the cycles.
const startAt = Date.now() + 1000;
process.stdout.write(`start ${startAt}\n`);
const sleepUntil = (t: number) => new Promise((r) => setTimeout(r, Math.max(0, t - Date.now())));
const replies: Record<string, number> = {};
const count = (reply: unknown) => {
  const code = (reply as { error?: { code?: string } })?.error?.code ?? ("messages" in (reply as object) ? "page" : "other");
  replies[code] = (replies[code] ?? 0) + 1;
};
const open = () =>
  new Promise<Socket>((resolve, reject) => {
    const s = io(url, { auth: { token }, transports: ["websocket"], reconnection: false, forceNew: true });
    s.once("connect", () => resolve(s));
    s.once("connect_error", reject);
  });

for (let c = 0; c < (cycles as number); c++) {
  await sleepUntil(startAt + c * (periodMs as number));
  const opened = await Promise.all(Array.from({ length: sockets as number }, open));
  for (const s of opened) for (let i = 0; i < (syncs as number); i++) s.emit("sync", { since: "0", limit: 500 }, count);
  await new Promise((r) => setTimeout(r, closeAfterMs));
  for (const s of opened) s.close();
}
process.stdout.write(`${JSON.stringify(replies)}\n`);
