/**
 * The topic routes the scenario drives, over one undici pool: subscribing uids in calls of up to
 * 10,000 (one call at a time, each timed), publishing, and polling a publish until its fan-out is done.
 */
import { Pool } from "undici";
import { sleep } from "./support/wait-for.ts";
import { nowMs } from "./time-series.ts";

export interface PublishView {
  id: string;
  topic: string;
  recipients: number;
  fannedOut: number;
  status: "fanning_out" | "done";
  createdAt: string;
  cancelledAt: string | null;
}

export interface TopicApi {
  /** PUT …/subscribers; the call's duration in ms and the hub's answer */
  subscribe(uids: string[]): Promise<{ ms: number; added: number; subscribers: number }>;
  /** POST …/messages; `sentAt` is taken just before the request (epoch ms) */
  publish(msg: unknown): Promise<{ id: string; recipients: number; sentAt: number; acceptedAt: number }>;
  status(id: string): Promise<PublishView>;
  close(): Promise<void>;
}

async function call(pool: Pool, apiKey: string, method: "PUT" | "POST" | "GET", path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await pool.request({
    path,
    method,
    headers: { authorization: `Bearer ${apiKey}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.body.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON: kept as text for the error message
  }
  return { status: res.statusCode, json };
}

const fail = (what: string, r: { status: number; json: unknown }) =>
  new Error(`${what}: HTTP ${r.status} ${(typeof r.json === "string" ? r.json : JSON.stringify(r.json)).slice(0, 300)}`);

export function createTopicApi(o: { url: string; apiKey: string; topic: string }): TopicApi {
  const pool = new Pool(o.url, { connections: 4, headersTimeout: 120_000, bodyTimeout: 120_000 });
  const base = `/api/topics/${encodeURIComponent(o.topic)}`;
  return {
    async subscribe(uids) {
      const t = nowMs();
      const r = await call(pool, o.apiKey, "PUT", `${base}/subscribers`, { uids });
      const ms = nowMs() - t;
      if (r.status !== 200) throw fail(`subscribing ${uids.length} uids`, r);
      const body = r.json as { added: number; subscribers: number };
      return { ms, added: body.added, subscribers: body.subscribers };
    },
    async publish(msg) {
      const sentAt = nowMs();
      const r = await call(pool, o.apiKey, "POST", `${base}/messages`, { msg });
      const acceptedAt = nowMs();
      if (r.status !== 202) throw fail("publishing", r);
      const body = r.json as { id: string; recipients: number };
      return { id: body.id, recipients: body.recipients, sentAt, acceptedAt };
    },
    async status(id) {
      const r = await call(pool, o.apiKey, "GET", `${base}/messages/${id}`);
      if (r.status !== 200) throw fail(`reading publish ${id}`, r);
      return r.json as PublishView;
    },
    close: () => pool.close(),
  };
}

/**
 * Subscribes `uids` in calls of `perCall`, one at a time. Returns each call's duration (ms) and the
 * topic's subscriber count after the last call.
 */
export async function subscribeAll(api: TopicApi, uids: string[], perCall: number, onProgress?: (done: number, lastMs: number) => void): Promise<{ callMs: number[]; added: number; subscribers: number }> {
  const callMs: number[] = [];
  let added = 0, subscribers = 0;
  for (let from = 0; from < uids.length; from += perCall) {
    const r = await api.subscribe(uids.slice(from, from + perCall));
    callMs.push(r.ms);
    added += r.added;
    subscribers = r.subscribers;
    onProgress?.(Math.min(uids.length, from + perCall), r.ms);
  }
  return { callMs, added, subscribers };
}

/**
 * Polls the publish every `everyMs` until its status says done (→ the time that poll answered, epoch
 * ms) or `timeoutMs` passes (→ null). Transient errors are retried until the timeout.
 */
export async function waitForFanOut(
  api: TopicApi,
  id: string,
  o: { everyMs: number; timeoutMs: number; onPoll?: (v: PublishView) => void; onError?: (err: Error) => void },
): Promise<{ doneAt: number | null; last: PublishView | null }> {
  const deadline = nowMs() + o.timeoutMs;
  let last: PublishView | null = null;
  while (nowMs() < deadline) {
    try {
      last = await api.status(id);
      o.onPoll?.(last);
      if (last.status === "done") return { doneAt: nowMs(), last };
    } catch (err) {
      o.onError?.(err as Error);
    }
    await sleep(o.everyMs);
  }
  return { doneAt: null, last };
}
