/**
 * The "other" users of the backlog scenario, in the coordinator process: one socket per uid, acks
 * every `message` event or `messages` frame (delivery-events.ts), dedupes by the producer's sequence number g (uid = uids[g % uids.length]) and
 * keeps each first receipt as (publish time, receipt time) for the phase split afterwards.
 */
import { io, type Socket } from "socket.io-client";
import { signClientToken } from "./client-token.ts";
import { createDeliveryCounters, handshakeAuth, listenForDeliveries, type ClientProtocol } from "./delivery-events.ts";
import { paced } from "./pace.ts";
import { createBitmap, forEachSet, hasBit, inRange, setBit, type SeqBitmap } from "./seq-bitmap.ts";
import { createHistogram, recordValue, type Histogram } from "./stats.ts";
import { nowMs } from "./time-series.ts";

export interface LiveReceipts {
  /** publish times (epoch ms), carried in msg.t */
  t: number[];
  /** first-receipt times (epoch ms), same index */
  at: number[];
}

export interface LiveClientStats {
  connected: number;
  connectErrors: number;
  disconnects: number;
  received: number;
  duplicates: number;
  misrouted: number;
  malformed: number;
  errorSample: string[];
}

export function createLiveClients(o: { urls: string[]; uids: string[]; jwtSecret: string; maxSeq: number; connectTimeoutMs: number; protocol: ClientProtocol }) {
  const seen = createBitmap(o.maxSeq);
  const receipts: LiveReceipts = { t: [], at: [] };
  const sockets: Socket[] = [];
  const s: LiveClientStats = { connected: 0, connectErrors: 0, disconnects: 0, received: 0, duplicates: 0, misrouted: 0, malformed: 0, errorSample: [] };
  let recent: Histogram = createHistogram();
  let closing = false;
  const note = (text: string) => {
    if (s.errorSample.length < 20) s.errorSample.push(text);
  };

  const deliveries = createDeliveryCounters();
  const onMessage = (index: number, payload: unknown) => {
    const now = nowMs();
    const msg = (payload as { msg?: { t?: unknown; g?: unknown } } | null)?.msg;
    const g = msg?.g, t = msg?.t;
    if (typeof g !== "number" || typeof t !== "number" || !inRange(seen, g)) {
      s.malformed++;
      note(`malformed payload: ${JSON.stringify(payload).slice(0, 200)}`);
    } else if (g % o.uids.length !== index) {
      s.misrouted++;
      note(`seq ${g} arrived at ${o.uids[index]}`);
    } else if (hasBit(seen, g)) s.duplicates++;
    else {
      setBit(seen, g);
      s.received++;
      receipts.t.push(t);
      receipts.at.push(now);
      recordValue(recent, (now - t) * 1000);
    }
  };

  const connectOne = (uid: string, index: number): Promise<void> =>
    new Promise((settle) => {
      const socket = io(o.urls[index % o.urls.length] as string, {
        auth: handshakeAuth(signClientToken(uid, o.jwtSecret), o.protocol), transports: ["websocket"], forceNew: true,
        timeout: o.connectTimeoutMs, reconnectionDelay: 1000, reconnectionDelayMax: 5000,
      });
      sockets.push(socket);
      socket.on("connect", () => {
        s.connected++;
        settle();
      });
      socket.on("connect_error", (err: Error) => {
        s.connectErrors++;
        note(`connect_error ${uid}: ${err.message}`);
        settle();
      });
      socket.on("disconnect", (reason: string) => {
        s.connected--;
        if (closing) return;
        s.disconnects++;
        note(`disconnect ${uid}: ${reason}`);
      });
      listenForDeliveries(socket, deliveries, (payload) => onMessage(index, payload), (frame) => {
        s.malformed++;
        note(`malformed messages frame: ${JSON.stringify(frame).slice(0, 200)}`);
      });
    });

  return {
    receipts,
    stats: () => ({ ...s }),
    /** latencies (µs) since the previous call, for the progress line */
    takeRecent(): Histogram {
      const h = recent;
      recent = createHistogram();
      return h;
    },
    async connect(ratePerSec = 500): Promise<void> {
      const pending: Array<Promise<void>> = [];
      await paced(o.uids.map((u, i) => [u, i] as const), ratePerSec, ([u, i]) => pending.push(connectOne(u, i)));
      await Promise.race([Promise.all(pending), new Promise((r) => setTimeout(r, o.connectTimeoutMs).unref())]);
    },
    /** accepted sequence numbers not received (yet), and the first few of them */
    lost(accepted: SeqBitmap): { count: number; sample: number[] } {
      const sample: number[] = [];
      let count = 0;
      forEachSet(accepted, (g) => {
        if (hasBit(seen, g)) return;
        count++;
        if (sample.length < 20) sample.push(g);
      });
      return { count, sample };
    },
    close(): void {
      closing = true;
      for (const socket of sockets) socket.disconnect();
    },
  };
}

export type LiveClients = ReturnType<typeof createLiveClients>;
