/**
 * Classic vs sharded (`dynamic-private`) Socket.IO Redis adapter, as the hub uses them: K servers share
 * one Redis, every client joins its own `uid:<n>` room, server 0 emits to each room with an ack timeout
 * (like the drainer) and we measure acked emits/s, ack latency and the Redis work it cost.
 * `tsx loadtest/adapter-bench.ts [--servers 3] [--clients 300] [--emits 6000] [--concurrency 200]`
 * (REDIS_URL, default redis://127.0.0.1:6379; 127.0.0.1 only; stops by itself).
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import { createAdapter, createShardedAdapter } from "@socket.io/redis-adapter";
import { Redis } from "ioredis";
import { Server } from "socket.io";
import { io as connect, type Socket } from "socket.io-client";

const { values } = parseArgs({
  options: {
    servers: { type: "string", default: "3" },
    clients: { type: "string", default: "300" },
    emits: { type: "string", default: "6000" },
    concurrency: { type: "string", default: "200" },
  },
});
const SERVERS = Number(values.servers);
const CLIENTS = Number(values.clients);
const EMITS = Number(values.emits);
const CONCURRENCY = Number(values.concurrency);
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

type Kind = "classic" | "sharded";

async function ready(r: Redis) {
  if (r.status !== "ready") await new Promise((res) => r.once("ready", res));
}

async function redisCommands(): Promise<number> {
  const r = new Redis(REDIS_URL);
  const info = await r.info("stats");
  r.disconnect();
  return Number(/total_commands_processed:(\d+)/.exec(info)?.[1] ?? 0);
}

async function run(kind: Kind) {
  const prefix = `adapter-bench-${kind}-${Date.now()}`;
  const redises: Redis[] = [];
  const servers: Server[] = [];
  const ports: number[] = [];
  for (let i = 0; i < SERVERS; i++) {
    const pub = new Redis(REDIS_URL);
    const sub = pub.duplicate();
    redises.push(pub, sub);
    await Promise.all([ready(pub), ready(sub)]);
    const adapter =
      kind === "classic"
        ? createAdapter(pub, sub, { key: prefix })
        : createShardedAdapter(pub, sub, { channelPrefix: prefix, subscriptionMode: "dynamic-private" });
    const http = createServer();
    const io = new Server(http, { adapter });
    io.on("connection", (s) => void s.join(`uid:${String(s.handshake.auth.uid)}`));
    await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
    ports.push((http.address() as AddressInfo).port);
    servers.push(io);
  }
  const sockets: Socket[] = [];
  for (let c = 0; c < CLIENTS; c++) {
    const s = connect(`http://127.0.0.1:${ports[c % SERVERS]}`, { transports: ["websocket"], auth: { uid: c }, forceNew: true });
    s.on("m", (_p: unknown, ack: () => void) => ack());
    sockets.push(s);
  }
  await Promise.all(sockets.map((s) => (s.connected ? null : new Promise<void>((r) => s.once("connect", () => r())))));
  await new Promise((r) => setTimeout(r, 500)); // joins (sharded: SSUBSCRIBE) settle
  const before = await redisCommands();
  const latencies: number[] = [];
  let acked = 0;
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < EMITS) {
      const n = next++;
      const t = performance.now();
      const responses = await servers[0]!.to(`uid:${n % CLIENTS}`).timeout(5000).emitWithAck("m", { n }).catch(() => []);
      latencies.push(performance.now() - t);
      if ((responses as unknown[]).length > 0) acked++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - started) / 1000;
  const commands = (await redisCommands()) - before;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))]! * 10) / 10;
  for (const s of sockets) s.close();
  await Promise.all(servers.map((io) => new Promise((r) => io.close(r))));
  for (const r of redises) r.disconnect();
  return { kind, servers: SERVERS, clients: CLIENTS, emits: EMITS, acked, perSecond: Math.round(EMITS / seconds), p50ms: pct(0.5), p99ms: pct(0.99), redisCommandsPerEmit: Math.round((commands / EMITS) * 10) / 10 };
}

const results = [];
for (const kind of ["classic", "sharded", "classic", "sharded"] as const) results.push(await run(kind));
console.table(results);
process.exit(0);
