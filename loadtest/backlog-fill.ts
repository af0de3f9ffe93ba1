/**
 * Stores sequence numbers 0…n−1 for one uid through POST /api/messages/batch, one request at a time
 * so the hub stores them in sequence order. Each batch has its own Idempotency-Key, so a retry
 * after a lost response cannot store a batch twice.
 */
import { Pool } from "undici";
import { sleep } from "./support/wait-for.ts";
import { createHistogram, recordValue, summarize, type LatencySummary } from "./stats.ts";
import { nowMs } from "./time-series.ts";

export interface FillOptions {
  url: string;
  apiKey: string;
  uid: string;
  n: number;
  batch: number;
  msgBytes: number;
  /** prefix of the per-batch idempotency keys (unique per run) */
  keyPrefix: string;
  onProgress?: (stored: number) => void;
}

export interface FillResult {
  stored: number;
  requests: number;
  retries: number;
  seconds: number;
  perSec: number;
  httpLatencyMs: LatencySummary;
}

const ATTEMPTS = 5;

export async function fillBacklog(o: FillOptions): Promise<FillResult> {
  const pool = new Pool(o.url, { connections: 1, headersTimeout: 60_000, bodyTimeout: 60_000 });
  const padding = o.msgBytes > 0 ? "x".repeat(o.msgBytes) : undefined;
  const http = createHistogram();
  const started = nowMs();
  let stored = 0, requests = 0, retries = 0;
  try {
    for (let from = 0; from < o.n; from += o.batch) {
      const to = Math.min(o.n, from + o.batch);
      const f = nowMs();
      const messages = Array.from({ length: to - from }, (_, i) => ({ uid: o.uid, msg: padding === undefined ? { s: from + i, f } : { s: from + i, f, p: padding } }));
      const body = JSON.stringify({ messages });
      for (let attempt = 1; ; attempt++) {
        const t = nowMs();
        requests++;
        let problem: string;
        try {
          const res = await pool.request({
            path: "/api/messages/batch",
            method: "POST",
            headers: { authorization: `Bearer ${o.apiKey}`, "content-type": "application/json", "idempotency-key": `${o.keyPrefix}-${from}` },
            body,
          });
          const text = await res.body.text();
          recordValue(http, (nowMs() - t) * 1000);
          if (res.statusCode === 202) {
            const ids = (JSON.parse(text) as { ids?: unknown[] }).ids;
            if (ids?.length !== to - from) throw new Error(`batch at ${from}: 202 with ${ids?.length} ids for ${to - from} messages`);
            break;
          }
          problem = `HTTP ${res.statusCode}: ${text.slice(0, 200)}`;
          if (res.statusCode < 500 && res.statusCode !== 429) throw new Error(`batch at ${from} rejected: ${problem}`);
        } catch (err) {
          if ((err as Error).message.startsWith("batch at")) throw err;
          problem = (err as Error).message;
        }
        if (attempt >= ATTEMPTS) throw new Error(`batch at ${from} failed ${ATTEMPTS} times; last: ${problem}`);
        retries++;
        await sleep(500 * attempt);
      }
      stored = to;
      o.onProgress?.(stored);
    }
  } finally {
    await pool.close();
  }
  const seconds = (nowMs() - started) / 1000;
  return { stored, requests, retries, seconds: Math.round(seconds * 1000) / 1000, perSec: Math.round(stored / Math.max(seconds, 0.001)), httpLatencyMs: summarize(http, 1000) };
}
