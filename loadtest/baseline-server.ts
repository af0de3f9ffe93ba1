/**
 * The ceiling our hub is measured against: a bare Socket.IO server (+ @socket.io/redis-adapter when
 * REDIS_URL is set) that speaks the hub's producer API and client handshake but emits straight to
 * the uid's room — no persistence, no acks, no retries.
 *
 * Env: PORT, HOST (127.0.0.1), HUB_API_KEYS, HUB_JWT_SECRET, REDIS_URL?, REDIS_PREFIX?
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createAdapter } from "@socket.io/redis-adapter";
import { Redis } from "ioredis";
import { jwtVerify } from "jose";
import { Server } from "socket.io";

interface Incoming {
  uid?: unknown;
  msg?: unknown;
  type?: unknown;
  clientType?: unknown;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 9601);
  const host = process.env.HOST ?? "127.0.0.1";
  const apiKeys = new Set((process.env.HUB_API_KEYS ?? "dev-key").split(",").map((k) => k.trim()));
  const secret = new TextEncoder().encode(process.env.HUB_JWT_SECRET ?? "push-hub-dev-secret-not-for-production");
  let nextId = 0;
  const idPrefix = `${process.pid}-`;

  const http = createServer();
  const io = new Server(http, { transports: ["websocket"], serveClient: false });
  const redis: Redis[] = [];
  if (process.env.REDIS_URL) {
    const pub = new Redis(process.env.REDIS_URL);
    const sub = pub.duplicate();
    for (const r of [pub, sub]) {
      r.on("error", (err: Error) => console.error(`baseline redis: ${err.message}`));
      redis.push(r);
    }
    await Promise.all([pub, sub].map((r) => (r.status === "ready" ? undefined : new Promise((ok) => r.once("ready", ok)))));
    io.adapter(createAdapter(pub, sub, { key: process.env.REDIS_PREFIX ?? "baseline" }));
  }

  io.use(async (socket, next) => {
    try {
      const { payload } = await jwtVerify(String(socket.handshake.auth.token ?? ""), secret, { algorithms: ["HS256"] });
      if (!payload.sub || payload.exp === undefined) throw new Error("no sub/exp");
      socket.data.uid = payload.sub;
      next();
    } catch {
      next(new Error("unauthorized"));
    }
  });
  io.on("connection", (socket) => void socket.join(`uid:${socket.data.uid as string}`));

  const publish = (m: Incoming): string => {
    const id = idPrefix + nextId++;
    io.to(`uid:${String(m.uid)}`).emit("message", {
      id,
      type: typeof m.type === "number" ? m.type : 4,
      clientType: typeof m.clientType === "number" ? m.clientType : 0,
      msg: m.msg,
      createdAt: new Date().toISOString(),
    });
    return id;
  };
  const valid = (m: Incoming) => typeof m.uid === "string" && m.uid.length > 0 && m.msg !== undefined;

  http.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? "/";
    if (url.startsWith("/socket.io")) return; // engine.io answers these
    if (req.method === "GET" && (url === "/readyz" || url === "/healthz")) return reply(res, 200, { ok: true });
    if (req.method !== "POST" || (url !== "/api/messages" && url !== "/api/messages/batch")) {
      return reply(res, 404, { error: { code: "not_found", message: "not found" } });
    }
    const key = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    if (!key || !apiKeys.has(key)) return reply(res, 401, { error: { code: "unauthorized", message: "bad api key" } });
    readBody(req)
      .then((text) => {
        const body = JSON.parse(text) as Incoming & { messages?: Incoming[] };
        if (url === "/api/messages") {
          if (!valid(body)) return reply(res, 400, { error: { code: "invalid_body", message: "uid and msg required" } });
          return reply(res, 202, { id: publish(body), status: "queued" });
        }
        const list = Array.isArray(body.messages) ? body.messages : [];
        if (list.length === 0 || !list.every(valid)) return reply(res, 400, { error: { code: "invalid_body", message: "bad messages" } });
        return reply(res, 202, { ids: list.map(publish) });
      })
      .catch(() => reply(res, 400, { error: { code: "invalid_json", message: "bad JSON" } }));
  });

  await new Promise<void>((ok) => http.listen(port, host, ok));
  console.log(`baseline listening on http://${host}:${port}`);

  let stopping = false;
  const stop = () => {
    if (stopping) process.exit(1);
    stopping = true;
    void io.close().then(async () => {
      await Promise.all(redis.map((r) => r.quit().catch(() => undefined)));
      process.exit(0);
    });
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

void main();
