import { sleep } from "../../../loadtest/support/wait-for.ts";
import { authHeaders } from "../../support/test-hub.ts";

export interface ProducerOptions {
  /** Hub URLs by instance number. */
  urls: string[];
  uids: string[];
  /** Messages per second, over all uids (round-robin). */
  perSecond: number;
  durationMs: number;
  /** Picks the instance of each first attempt. */
  rand: () => number;
  /** Makes this run's Idempotency-Keys unique. */
  keyPrefix: string;
  /** A message still without a 2xx this long after its first attempt is given up. */
  giveUpMs?: number;
  requestTimeoutMs?: number;
}

export interface ProducerResult {
  /** uid → ids that got a 2xx (a replay's answer is the first id), in the order the replies came. */
  accepted: Map<string, string[]>;
  /** Messages given up without a 2xx (stored or not: unknown). */
  unconfirmed: { uid: string; key: string; last: string }[];
  /** Messages that needed more than one request. */
  retried: number;
  /** Requests by outcome: HTTP status or error name. */
  outcomes: Record<string, number>;
}

const retryable = (status: number) => status >= 500 || status === 429;

/**
 * Publishes `{uid, msg: {n}}` at a steady rate for `durationMs`, each message with its own
 * Idempotency-Key. A network error, timeout or 5xx is retried with the same key and body against the
 * other instance (then alternating, with a short backoff) until a 2xx, for at most `giveUpMs`.
 */
export async function produce(o: ProducerOptions): Promise<ProducerResult> {
  const result: ProducerResult = { accepted: new Map(o.uids.map((u) => [u, []])), unconfirmed: [], retried: 0, outcomes: {} };
  const giveUpMs = o.giveUpMs ?? 60_000;
  const requestTimeoutMs = o.requestTimeoutMs ?? 3000;
  const count = (outcome: string) => (result.outcomes[outcome] = (result.outcomes[outcome] ?? 0) + 1);

  const publishOne = async (n: number) => {
    const uid = o.uids[n % o.uids.length]!;
    const key = `${o.keyPrefix}-${n}`;
    const body = JSON.stringify({ uid, msg: { n } });
    const firstAt = Date.now();
    let instance = Math.floor(o.rand() * o.urls.length);
    let last = "";
    for (let attempt = 0; Date.now() - firstAt < giveUpMs; attempt++) {
      if (attempt === 1) result.retried++;
      try {
        const res = await fetch(`${o.urls[instance]}/api/messages`, {
          method: "POST",
          headers: { ...authHeaders(), "idempotency-key": key },
          body,
          signal: AbortSignal.timeout(requestTimeoutMs),
        });
        const reply = (await res.json().catch(() => ({}))) as { id?: string };
        count(String(res.status));
        last = `${res.status} ${JSON.stringify(reply)}`;
        if (res.status >= 200 && res.status < 300 && reply.id) {
          result.accepted.get(uid)!.push(reply.id);
          return;
        }
        if (!retryable(res.status)) break;
      } catch (error) {
        // fetch's own errors carry the socket's in `cause` (ECONNREFUSED, UND_ERR_SOCKET, …)
        const cause = (error as Error & { cause?: { code?: string } }).cause;
        last = cause?.code ?? (error as Error).name;
        count(last);
      }
      instance = (instance + 1) % o.urls.length;
      await sleep(Math.min(1000, 100 * 2 ** Math.min(attempt, 4)));
    }
    result.unconfirmed.push({ uid, key, last });
  };

  const started = Date.now();
  const inFlight: Promise<void>[] = [];
  for (let n = 0; ; n++) {
    const due = started + (n * 1000) / o.perSecond;
    if (due - started >= o.durationMs) break;
    if (due > Date.now()) await sleep(due - Date.now());
    inFlight.push(publishOne(n));
  }
  await Promise.all(inFlight);
  return result;
}
