/**
 * Forked process holding the big uid's one socket: acks every `message` event or `messages` frame
 * (delivery-events.ts), feeds each message's sequence number
 * to the drain tally, reports ticks, "complete" once all n arrived, and a final tally on "finish".
 * A process of its own so its receive work does not skew the other users' latency figures.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { io, type Socket } from "socket.io-client";
import { createDeliveryCounters, handshakeAuth, listenForDeliveries } from "./delivery-events.ts";
import type { DrainFinal, DrainProgress, DrainReceiverConfig, FromDrainReceiver, ToDrainReceiver } from "./drain-ipc.ts";
import { createDrainTally, isComplete, missing, recordReceipt } from "./drain-tally.ts";
import { LOOP_RESOLUTION_MS, loopDelaySummary } from "./pace.ts";
import { bumpCounter, nowMs } from "./time-series.ts";

function createReceiver(config: DrainReceiverConfig, send: (m: FromDrainReceiver) => void) {
  const tally = createDrainTally(config.n);
  const perSecond: number[] = [];
  const errorSample: string[] = [];
  const loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  let socket: Socket | undefined;
  let connected = false, finishing = false, completeSent = false;
  let connectStartAt = 0, connectedAt = 0, redelivered = 0, connectErrors = 0, disconnects = 0;
  const deliveries = createDeliveryCounters();
  const note = (text: string) => {
    if (errorSample.length < 20) errorSample.push(text);
  };
  const progress = (): DrainProgress => ({ received: tally.received, duplicates: tally.duplicates, outOfOrder: tally.outOfOrder, connected });
  const ticker = setInterval(() => send({ type: "tick", progress: progress() }), config.tickMs);

  const onMessage = (payload: unknown) => {
    const now = nowMs();
    const p = payload as { msg?: { s?: unknown }; attempt?: unknown } | null;
    if (typeof p?.attempt === "number" && p.attempt > 1) redelivered++;
    const kind = recordReceipt(tally, p?.msg?.s, now);
    if (kind === "invalid") note(`unexpected payload: ${JSON.stringify(payload).slice(0, 200)}`);
    if (kind !== "first") return;
    bumpCounter(perSecond, Math.max(0, Math.floor((now - config.t0) / 1000)));
    if (!completeSent && isComplete(tally)) {
      completeSent = true;
      send({ type: "complete", at: now });
    }
  };

  return {
    connect() {
      loop.enable();
      connectStartAt = nowMs();
      socket = io(config.url, { auth: handshakeAuth(config.token, config.protocol), transports: ["websocket"], forceNew: true, timeout: config.connectTimeoutMs, reconnectionDelay: 1000, reconnectionDelayMax: 5000 });
      socket.on("connect", () => {
        connected = true;
        if (connectedAt > 0) return;
        connectedAt = nowMs();
        send({ type: "connected", connectStartAt, connectedAt });
      });
      socket.on("connect_error", (err: Error) => {
        connectErrors++;
        note(`connect_error: ${err.message}`);
      });
      socket.on("disconnect", (reason: string) => {
        connected = false;
        if (finishing) return;
        disconnects++;
        note(`disconnect: ${reason}`);
      });
      listenForDeliveries(socket, deliveries, onMessage, (frame) => note(`malformed messages frame: ${JSON.stringify(frame).slice(0, 200)}`));
    },
    finish(): DrainFinal {
      finishing = true;
      clearInterval(ticker);
      socket?.disconnect();
      const m = missing(tally);
      return {
        ...progress(), invalid: tally.invalid, missing: m.count, missingSample: m.sample, outOfOrderSample: tally.outOfOrderSample,
        connectStartAt, connectedAt, firstAt: tally.firstAt, lastAt: tally.lastAt, perSecond, redelivered, acksSent: deliveries.acksSent, noAckCallback: deliveries.noAckCallback, deliveries,
        connectErrors, disconnects, errorSample, eventLoopDelayMs: loopDelaySummary(loop),
      };
    },
  };
}

function main(): void {
  let receiver: ReturnType<typeof createReceiver> | undefined;
  const send = (m: FromDrainReceiver) => process.send?.(m);
  process.on("disconnect", () => process.exit(0));
  process.on("message", (raw) => {
    const m = raw as ToDrainReceiver;
    if (m.type === "init") {
      receiver = createReceiver(m.config, send);
      send({ type: "ready" });
    } else if (m.type === "connect") receiver?.connect();
    else if (m.type === "finish" && receiver) {
      send({ type: "final", final: receiver.finish() });
      setTimeout(() => process.exit(0), 500).unref();
    }
  });
}

main();
