/**
 * Forked process holding a slice of the clients: connects them (paced), acks and records every
 * message (`message` events or `messages` frames, delivery-events.ts), dedupes by sequence number,
 * and reports progress and a final tally to the coordinator.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { io, type ManagerOptions, type Socket, type SocketOptions } from "socket.io-client";
import { signClientToken } from "./client-token.ts";
import { createDeliveryCounters, handshakeAuth, listenForDeliveries } from "./delivery-events.ts";
import type { ClientFinal, ClientProgress, ClientSpec, ClientWorkerConfig, FromClientWorker, ToClientWorker } from "./ipc-messages.ts";
import { LOOP_RESOLUTION_MS, loopDelaySummary, paced } from "./pace.ts";
import { createBitmap, decodeBitmap, encodeBitmap, forEachSet, hasBit, inRange, setBit, type SeqBitmap } from "./seq-bitmap.ts";
import { createHistogram, recordValue, toSparse } from "./stats.ts";
import { bumpCounter, createSeries, nowMs, recordAt, seriesToSparse } from "./time-series.ts";

type ClientOptions = Partial<ManagerOptions & SocketOptions> & { localAddress?: string };

function createClientWorker(config: ClientWorkerConfig, send: (m: FromClientWorker) => void) {
  const seen = createBitmap(config.maxSeq);
  const mine = new Map<number, ClientSpec>(config.clients.map((c) => [c.uidIndex, c]));
  const sockets: Socket[] = [];
  const latency = createHistogram();
  const backlogLatency = createHistogram();
  const connectTime = createHistogram();
  const series = createSeries();
  const receivedPerSecond: number[] = [];
  const backlogPerSecond: number[] = [];
  const errorSample: string[] = [];
  let recent = createHistogram();
  let accepted: SeqBitmap | undefined;
  let outstanding = -1;
  let connected = 0, connectErrors = 0, disconnects = 0, received = 0, duplicates = 0;
  let misrouted = 0, malformed = 0;
  const deliveries = createDeliveryCounters();
  let lateConnectStartedAt = 0, lastLateReceiptAt = 0;
  let finishing = false;
  const loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  loop.enable();

  const noteError = (text: string) => {
    if (errorSample.length < 20) errorSample.push(text);
  };

  const progress = (): ClientProgress => {
    const p = { workerIndex: config.workerIndex, connected, connectErrors, disconnects, received, duplicates, outstanding, recent: toSparse(recent) };
    recent = createHistogram();
    return p;
  };

  let measureFrom = 0;
  const onMessage = (spec: ClientSpec, payload: unknown) => {
    const now = nowMs();
    const msg = (payload as { msg?: { t?: unknown; g?: unknown } } | null)?.msg;
    const g = msg?.g, t = msg?.t;
    if (typeof g !== "number" || typeof t !== "number" || !inRange(seen, g)) {
      malformed++;
      noteError(`malformed message payload: ${JSON.stringify(payload).slice(0, 200)}`);
      return;
    }
    if (g % config.uidCount !== spec.uidIndex) {
      misrouted++;
      noteError(`seq ${g} (uid index ${g % config.uidCount}) arrived at ${spec.uid}`);
      return;
    }
    if (hasBit(seen, g)) {
      duplicates++;
      return;
    }
    setBit(seen, g);
    received++;
    if (accepted && hasBit(accepted, g)) outstanding--;
    const second = Math.max(0, Math.floor((now - config.t0) / 1000));
    bumpCounter(spec.late ? backlogPerSecond : receivedPerSecond, second);
    const us = (now - t) * 1000;
    if (t < measureFrom) return; // warm-up: delivered and counted, not timed
    if (spec.late) {
      recordValue(backlogLatency, us);
      lastLateReceiptAt = now;
    } else {
      recordValue(latency, us);
      recordValue(recent, us);
      recordAt(series, second, us);
    }
  };

  /** Resolves once the client connected or failed its first attempt (socket.io keeps retrying). */
  const connect = (spec: ClientSpec, token: string): Promise<void> =>
    new Promise((settle) => {
      const startedAt = nowMs();
      const options: ClientOptions = {
        auth: handshakeAuth(token, config.protocol),
        transports: ["websocket"],
        forceNew: true,
        timeout: config.connectTimeoutMs,
        reconnectionDelay: 1000,
        reconnectionDelayMax: 5000,
      };
      if (spec.localAddress) options.localAddress = spec.localAddress;
      const socket = io(spec.url, options);
      sockets.push(socket);
      let first = true;
      socket.on("connect", () => {
        connected++;
        if (first) recordValue(connectTime, (nowMs() - startedAt) * 1000);
        first = false;
        settle();
      });
      socket.on("connect_error", (err: Error) => {
        connectErrors++;
        noteError(`connect_error ${spec.uid}: ${err.message}`);
        settle();
      });
      socket.on("disconnect", (reason: string) => {
        connected--;
        if (finishing) return;
        disconnects++;
        noteError(`disconnect ${spec.uid}: ${reason}`);
      });
      listenForDeliveries(socket, deliveries, (payload) => onMessage(spec, payload), (frame) => {
        malformed++;
        noteError(`malformed messages frame: ${JSON.stringify(frame).slice(0, 200)}`);
      });
    });

  const connectAll = async (specs: ClientSpec[]): Promise<void> => {
    const tokens = specs.map((s) => signClientToken(s.uid, config.jwtSecret));
    const pending: Array<Promise<void>> = [];
    await paced(specs.map((s, i) => [s, tokens[i] as string] as const), config.connectRatePerSec, ([s, token]) => {
      pending.push(connect(s, token));
    });
    const deadline = new Promise<void>((r) => setTimeout(r, config.connectTimeoutMs).unref());
    await Promise.race([Promise.all(pending).then(() => undefined), deadline]);
  };

  const final = (): ClientFinal => {
    let lost = 0, lostLate = 0, unexpected = 0;
    const lostSample: Array<{ seq: number; uid: string }> = [];
    if (accepted) {
      const acc = accepted;
      forEachSet(acc, (g) => {
        const spec = mine.get(g % config.uidCount);
        if (!spec || hasBit(seen, g)) return;
        lost++;
        if (spec.late) lostLate++;
        if (lostSample.length < 20) lostSample.push({ seq: g, uid: spec.uid });
      });
      forEachSet(seen, (g) => {
        if (!hasBit(acc, g)) unexpected++;
      });
    }
    return {
      workerIndex: config.workerIndex, seen: encodeBitmap(seen), connected, connectErrors, disconnects, received,
      duplicates, unexpected: unexpected + malformed, misrouted, acksSent: deliveries.acksSent, noAckCallback: deliveries.noAckCallback, deliveries, lost, lostLate, lostSample,
      latency: toSparse(latency), backlogLatency: toSparse(backlogLatency), series: seriesToSparse(series),
      receivedPerSecond, backlogPerSecond, connectTime: toSparse(connectTime), errorSample, lateConnectStartedAt, lastLateReceiptAt,
      eventLoopDelayMs: loopDelaySummary(loop),
    };
  };

  const ticker = setInterval(() => send({ type: "tick", progress: progress() }), config.tickMs);

  return {
    async start() {
      await connectAll(config.clients.filter((c) => !c.late));
      send({ type: "ready", progress: progress() });
    },
    async connectLate() {
      lateConnectStartedAt = nowMs();
      await connectAll(config.clients.filter((c) => c.late));
      send({ type: "late-connected", progress: progress() });
    },
    measureFrom(at: number) {
      measureFrom = at;
    },
    setAccepted(encoded: string) {
      const acc = decodeBitmap(encoded, config.maxSeq);
      accepted = acc;
      outstanding = 0;
      forEachSet(acc, (g) => {
        if (mine.has(g % config.uidCount) && !hasBit(seen, g)) outstanding++;
      });
    },
    finish() {
      clearInterval(ticker);
      finishing = true;
      send({ type: "final", final: final() });
      for (const s of sockets) s.disconnect();
    },
  };
}

function main(): void {
  let worker: ReturnType<typeof createClientWorker> | undefined;
  const send = (m: FromClientWorker) => process.send?.(m);
  process.on("disconnect", () => process.exit(0));
  process.on("message", (raw) => {
    const m = raw as ToClientWorker;
    if (m.type === "init") {
      worker = createClientWorker(m.config, send);
      void worker.start();
    } else if (m.type === "connect-late") void worker?.connectLate();
    else if (m.type === "accepted") worker?.setAccepted(m.bitmap);
    else if (m.type === "measure-from") worker?.measureFrom(m.at);
    else if (m.type === "finish") {
      worker?.finish();
      setTimeout(() => process.exit(0), 500).unref();
    }
  });
}

main();
