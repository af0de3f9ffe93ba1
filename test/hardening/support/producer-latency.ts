/** Latency samples of producers and health checks while something else happens to the hub. */

export interface LatencySamples {
  /** POST /api/messages round trips (ms). */
  post: number[];
  /** GET /healthz round trips (ms). */
  health: number[];
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** A request that takes longer than this counts as taking this long. */
const GIVE_UP_MS = 60_000;

const timed = async (request: (signal: AbortSignal) => Promise<Response>): Promise<number> => {
  const started = performance.now();
  try {
    const res = await request(AbortSignal.timeout(GIVE_UP_MS));
    await res.arrayBuffer();
    if (res.status >= 300) throw new Error(`${res.url} answered ${res.status}`);
  } catch (err) {
    if ((err as Error).name !== "TimeoutError") throw err;
  }
  return performance.now() - started;
};

/**
 * Until `until` settles: a small POST /api/messages every `postEveryMs` and a GET /healthz every
 * `healthEveryMs`, each sent on schedule whether or not the ones before were answered (open loop). A
 * producer waiting for each answer before the next would send hundreds of requests while the hub is fast
 * and a handful while it is slow, and their median would hide the slow stretch.
 */
export async function sampleLatency(
  base: string,
  o: { until: Promise<unknown>; apiKey: string; postEveryMs?: number; healthEveryMs?: number },
): Promise<LatencySamples> {
  let done = false;
  void o.until.finally(() => (done = true));
  const every = async (ms: number, request: (signal: AbortSignal) => Promise<Response>): Promise<number[]> => {
    const pending: Promise<number>[] = [];
    for (let next = performance.now(); !done; next += ms) {
      pending.push(timed(request));
      await new Promise((r) => setTimeout(r, Math.max(0, next + ms - performance.now())));
    }
    return Promise.all(pending);
  };
  let n = 0;
  const headers = { authorization: `Bearer ${o.apiKey}`, "content-type": "application/json" };
  const [post, health] = await Promise.all([
    every(o.postEveryMs ?? 20, (signal) =>
      fetch(`${base}/api/messages`, { method: "POST", headers, body: JSON.stringify({ uid: `producer-${n++ % 20}`, msg: { n, text: "latency probe" } }), signal }),
    ),
    every(o.healthEveryMs ?? 50, (signal) => fetch(`${base}/healthz`, { signal })),
  ]);
  return { post, health };
}
