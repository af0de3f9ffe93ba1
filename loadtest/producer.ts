/**
 * Publishes messages at a fixed rate through the HTTP API (single or batch) with undici keep-alive
 * pools, one pool per target, requests round-robin over targets. Each message carries its publish
 * time and global sequence number in `msg` so receivers need no id bookkeeping.
 */
import { Pool } from "undici";
import type { ProducerConfig, ProducerFinal, ProducerProgress } from "./ipc-messages.ts";
import { sleep } from "./support/wait-for.ts";
import { createBitmap, encodeBitmap, setBit } from "./seq-bitmap.ts";
import { createHistogram, recordValue, toSparse } from "./stats.ts";
import { bumpCounter, nowMs } from "./time-series.ts";

export interface Producer {
  run(): Promise<ProducerFinal>;
  stop(): void;
  progress(): ProducerProgress;
}

export function createProducer(config: ProducerConfig): Producer {
  const sources: Array<string | undefined> = config.localAddresses.length > 0 ? config.localAddresses : [undefined];
  const connections = Math.max(4, Math.ceil(config.connectionsPerTarget / sources.length));
  const pools = config.targets.flatMap((t) =>
    sources.map(
      (localAddress) =>
        new Pool(t, {
          connections, pipelining: 1, headersTimeout: 30_000, bodyTimeout: 30_000, keepAliveTimeout: 30_000,
          ...(localAddress ? { localAddress } : {}),
        }),
    ),
  );
  const accepted = createBitmap(config.maxSeq);
  const httpLatency = createHistogram();
  const sentPerSecond: number[] = [];
  const acceptedPerSecond: number[] = [];
  const rejectedByStatus: Record<string, number> = {};
  const errorSample: string[] = [];
  const padding = config.msgBytes > 0 ? "x".repeat(config.msgBytes) : undefined;
  const auth = `Bearer ${config.apiKey}`;
  let sent = 0, acceptedCount = 0, rejected = 0, errors = 0, inFlight = 0, issued = 0, nextTarget = 0;
  let stopped = false;
  let startedAt = 0, stoppedAt = 0;

  const second = (at: number) => Math.max(0, Math.floor((at - config.t0) / 1000));
  const note = (text: string) => {
    if (errorSample.length < 20) errorSample.push(text);
  };

  const nextSeq = (): number | undefined => {
    const g = config.producerIndex + config.producerCount * issued;
    if (g >= config.maxSeq) return undefined;
    issued++;
    return g;
  };

  const message = (g: number, t: number) => ({
    uid: config.uids[g % config.uids.length] as string,
    msg: padding === undefined ? { t, g } : { t, g, p: padding },
  });

  const send = async (seqs: number[]): Promise<void> => {
    const pool = pools[nextTarget++ % pools.length] as Pool;
    const t = nowMs();
    const batch = config.batchSize > 1;
    const body = batch ? { messages: seqs.map((g) => message(g, t)) } : message(seqs[0] as number, t);
    sent += seqs.length;
    bumpCounter(sentPerSecond, second(t), seqs.length);
    inFlight++;
    try {
      const res = await pool.request({
        path: batch ? "/api/messages/batch" : "/api/messages",
        method: "POST",
        headers: { authorization: auth, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      const text = await res.body.text();
      const done = nowMs();
      recordValue(httpLatency, (done - t) * 1000);
      if (res.statusCode === 202) {
        for (const g of seqs) setBit(accepted, g);
        acceptedCount += seqs.length;
        bumpCounter(acceptedPerSecond, second(done), seqs.length);
      } else {
        rejected += seqs.length;
        rejectedByStatus[res.statusCode] = (rejectedByStatus[res.statusCode] ?? 0) + seqs.length;
        note(`HTTP ${res.statusCode}: ${text.slice(0, 200)}`);
      }
    } catch (err) {
      errors += seqs.length;
      note(`request error: ${(err as Error).message}`);
    } finally {
      inFlight--;
    }
  };

  const progress = (): ProducerProgress => ({
    producerIndex: config.producerIndex, sent, accepted: acceptedCount, rejected, errors, inFlight,
  });

  return {
    progress,
    stop() {
      stopped = true;
    },
    async run() {
      startedAt = nowMs();
      const endAt = startedAt + config.durationSec * 1000;
      const requests = new Set<Promise<void>>();
      let due = 0;
      const flush = (seqs: number[]) => {
        const p = send(seqs);
        requests.add(p);
        void p.finally(() => requests.delete(p));
      };
      let pendingSeqs: number[] = [];
      while (!stopped) {
        const now = nowMs();
        const last = now >= endAt;
        due = Math.floor(((Math.min(now, endAt) - startedAt) / 1000) * config.rate);
        while (issued < due && inFlight < config.maxInFlight) {
          const g = nextSeq();
          if (g === undefined) break;
          pendingSeqs.push(g);
          if (pendingSeqs.length >= config.batchSize) {
            flush(pendingSeqs);
            pendingSeqs = [];
          }
        }
        if (last) break;
        await sleep(issued < due ? 1 : 5);
      }
      if (pendingSeqs.length > 0) flush(pendingSeqs);
      stoppedAt = nowMs();
      await Promise.all([...requests]);
      await Promise.all(pools.map((p) => p.close()));
      return {
        ...progress(),
        acceptedBitmap: encodeBitmap(accepted),
        httpLatency: toSparse(httpLatency),
        sentPerSecond, acceptedPerSecond, rejectedByStatus, errorSample, startedAt, stoppedAt,
        eventLoopDelayMs: { p50: 0, p99: 0, max: 0 },
      };
    },
  };
}
