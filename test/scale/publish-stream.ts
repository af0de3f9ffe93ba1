import { sleep } from "../../loadtest/support/wait-for.ts";
import { authHeaders } from "../support/test-hub.ts";

export interface Published {
  uid: string;
  seq: number;
  /** When the request was sent and when its reply arrived (ms): acceptance order is only defined between
   * a message accepted before another was sent. */
  sentAt?: number;
  repliedAt?: number;
}

export interface StreamResult {
  /** id → what was published, for every 2xx. */
  accepted: Map<string, Published>;
  /** Every non-2xx reply or network error (such a message may or may not be stored). */
  failed: (Published & { status: number | string })[];
  statuses: Map<number | string, number>;
}

export interface StreamOptions {
  url: string;
  uids: string[];
  total: number;
  concurrency: number;
  /** Upper bound on the publish rate (messages per second); unbounded when absent. */
  perSecond?: number;
  /** Called after every reply, e.g. to trigger an outage at some point of the stream. */
  onReply?: (r: StreamResult, sent: number) => void;
}

/** Publishes `total` messages `{seq}` round-robin over `uids`, `concurrency` at a time, and records each reply. */
export async function publishStream(o: StreamOptions): Promise<StreamResult> {
  const result: StreamResult = { accepted: new Map(), failed: [], statuses: new Map() };
  const started = Date.now();
  let next = 0;
  const worker = async () => {
    while (next < o.total) {
      const seq = next++;
      if (o.perSecond) {
        const due = started + (seq * 1000) / o.perSecond;
        if (due > Date.now()) await sleep(due - Date.now());
      }
      const uid = o.uids[seq % o.uids.length]!;
      let status: number | string;
      const sentAt = Date.now();
      try {
        const res = await fetch(`${o.url}/api/messages`, {
          method: "POST",
          headers: authHeaders(),
          body: JSON.stringify({ uid, msg: { seq } }),
          signal: AbortSignal.timeout(20000),
        });
        status = res.status;
        const body = (await res.json().catch(() => ({}))) as { id?: string };
        if (res.status >= 200 && res.status < 300 && body.id) result.accepted.set(body.id, { uid, seq, sentAt, repliedAt: Date.now() });
        else result.failed.push({ uid, seq, status });
      } catch (error) {
        status = (error as Error).name;
        result.failed.push({ uid, seq, status });
      }
      result.statuses.set(status, (result.statuses.get(status) ?? 0) + 1);
      o.onReply?.(result, seq + 1);
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  return result;
}
