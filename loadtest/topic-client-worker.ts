/**
 * Forked process holding a slice of the topic scenario's online clients: connects them (paced, each
 * from its source address), acks every `message` event or `messages` frame (delivery-events.ts), and
 * records per publish id which clients received it and when (latency = receipt − msg.t).
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { io, type ManagerOptions, type Socket, type SocketOptions } from "socket.io-client";
import { signClientToken } from "./client-token.ts";
import { createDeliveryCounters, handshakeAuth, listenForDeliveries } from "./delivery-events.ts";
import type { ClientSpec } from "./ipc-messages.ts";
import { LOOP_RESOLUTION_MS, loopDelaySummary, paced } from "./pace.ts";
import { createHistogram, recordValue, toSparse, type Histogram } from "./stats.ts";
import { nowMs } from "./time-series.ts";
import type { FromTopicWorker, PublishReceipts, ToTopicWorker, TopicWorkerConfig, TopicWorkerFinal, TopicWorkerProgress } from "./topic-ipc.ts";

type ClientOptions = Partial<ManagerOptions & SocketOptions> & { localAddress?: string };

interface PublishTally {
  got: Uint8Array;
  received: number;
  duplicates: number;
  latency: Histogram;
  firstAt: number;
  lastAt: number;
}

function createTopicWorker(config: TopicWorkerConfig, send: (m: FromTopicWorker) => void) {
  const sockets: Socket[] = [];
  const byPublish = new Map<string, PublishTally>();
  const deliveries = createDeliveryCounters();
  const errorSample: string[] = [];
  const loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  loop.enable();
  let connected = 0, connectErrors = 0, disconnects = 0, unexpected = 0, finishing = false;
  const note = (text: string) => {
    if (errorSample.length < 20) errorSample.push(text);
  };

  const onMessage = (index: number, payload: unknown) => {
    const now = nowMs();
    const p = payload as { topic?: unknown; publishId?: unknown; msg?: { t?: unknown } } | null;
    const t = p?.msg?.t;
    if (p?.topic !== config.topic || typeof p.publishId !== "string" || typeof t !== "number") {
      unexpected++;
      note(`unexpected payload at ${config.clients[index]?.uid}: ${JSON.stringify(payload).slice(0, 200)}`);
      return;
    }
    let tally = byPublish.get(p.publishId);
    if (!tally) {
      tally = { got: new Uint8Array(config.clients.length), received: 0, duplicates: 0, latency: createHistogram(), firstAt: now, lastAt: now };
      byPublish.set(p.publishId, tally);
    }
    if (tally.got[index]) {
      tally.duplicates++;
      return;
    }
    tally.got[index] = 1;
    tally.received++;
    tally.lastAt = now;
    recordValue(tally.latency, (now - t) * 1000);
  };

  const progress = (): TopicWorkerProgress => ({
    workerIndex: config.workerIndex, connected, connectErrors, disconnects,
    receivedByPublish: Object.fromEntries([...byPublish].map(([id, x]) => [id, x.received])),
  });

  /** Resolves once the client connected or failed its first attempt (socket.io keeps retrying). */
  const connect = (spec: ClientSpec, index: number, token: string): Promise<void> =>
    new Promise((settle) => {
      const options: ClientOptions = {
        auth: handshakeAuth(token, config.protocol), transports: ["websocket"], forceNew: true,
        timeout: config.connectTimeoutMs, reconnectionDelay: 1000, reconnectionDelayMax: 5000,
      };
      if (spec.localAddress) options.localAddress = spec.localAddress;
      const socket = io(spec.url, options);
      sockets.push(socket);
      socket.on("connect", () => {
        connected++;
        settle();
      });
      socket.on("connect_error", (err: Error) => {
        connectErrors++;
        note(`connect_error ${spec.uid}: ${err.message}`);
        settle();
      });
      socket.on("disconnect", (reason: string) => {
        connected--;
        if (finishing) return;
        disconnects++;
        note(`disconnect ${spec.uid}: ${reason}`);
      });
      listenForDeliveries(socket, deliveries, (payload) => onMessage(index, payload), (frame) => {
        unexpected++;
        note(`malformed messages frame: ${JSON.stringify(frame).slice(0, 200)}`);
      });
    });

  const publishFinal = (id: string, x: PublishTally): PublishReceipts => {
    const missingSample: string[] = [];
    for (let i = 0; i < config.clients.length && missingSample.length < 20; i++) if (!x.got[i]) missingSample.push(config.clients[i]?.uid ?? String(i));
    return { publishId: id, received: x.received, duplicates: x.duplicates, latency: toSparse(x.latency), firstAt: x.firstAt, lastAt: x.lastAt, missingSample };
  };

  const ticker = setInterval(() => send({ type: "tick", progress: progress() }), config.tickMs);

  return {
    async start() {
      const specs = config.clients.map((s, i) => [s, i, signClientToken(s.uid, config.jwtSecret)] as const);
      const pending: Array<Promise<void>> = [];
      await paced(specs, config.connectRatePerSec, ([s, i, token]) => pending.push(connect(s, i, token)));
      await Promise.race([Promise.all(pending), new Promise((r) => setTimeout(r, config.connectTimeoutMs).unref())]);
      send({ type: "ready", progress: progress() });
    },
    finish(): TopicWorkerFinal {
      clearInterval(ticker);
      finishing = true;
      const final: TopicWorkerFinal = {
        ...progress(), clients: config.clients.length, publishes: [...byPublish].map(([id, x]) => publishFinal(id, x)), unexpected,
        acksSent: deliveries.acksSent, deliveries, errorSample, eventLoopDelayMs: loopDelaySummary(loop),
      };
      for (const s of sockets) s.disconnect();
      return final;
    },
  };
}

function main(): void {
  let worker: ReturnType<typeof createTopicWorker> | undefined;
  const send = (m: FromTopicWorker) => process.send?.(m);
  process.on("disconnect", () => process.exit(0));
  process.on("message", (raw) => {
    const m = raw as ToTopicWorker;
    if (m.type === "init") {
      worker = createTopicWorker(m.config, send);
      void worker.start();
    } else if (m.type === "finish" && worker) {
      send({ type: "final", final: worker.finish() });
      setTimeout(() => process.exit(0), 500).unref();
    }
  });
}

main();
