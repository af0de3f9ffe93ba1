import { waitFor } from "../../../loadtest/support/wait-for.ts";
import { api } from "../../support/http.ts";
import { parseMetrics, readLabelledMetric } from "../../support/metrics.ts";

/** Registers a webhook endpoint over the HTTP API (test API key, an admin key); returns its id. */
export async function createWebhook(baseUrl: string, url: string, events: string[] = ["message.delivered"]): Promise<string> {
  const res = await api(baseUrl, "POST", "/api/webhooks", { url, events });
  if (res.status !== 201) throw new Error(`POST /api/webhooks answered ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

/** Waits until the hub has counted at least `n` attempts of `endpoint` with `outcome` (sent, retry, failed, disable). */
export async function waitForAttempts(baseUrl: string, endpoint: string, outcome: string, n = 1): Promise<void> {
  await waitFor(
    async () => (await readLabelledMetric(baseUrl, "pushhub_webhook_attempts_total", { endpoint, outcome })) >= n,
    `${n} ${outcome} attempt(s) of webhook ${endpoint}`,
    15_000,
    50,
  );
}

/**
 * Waits until the pending-events gauge of `endpoint` is exported and at least `n`. The hub computes it
 * every 5 s, so this can take that long.
 */
export async function waitForPending(baseUrl: string, endpoint: string, n = 0): Promise<void> {
  await waitFor(
    async () => {
      const text = await (await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
      const sample = parseMetrics(text).find((s) => s.name === "pushhub_webhook_pending_events" && s.labels.endpoint === endpoint);
      return sample !== undefined && sample.value >= n;
    },
    `webhook ${endpoint} pending events >= ${n}`,
    15_000,
    100,
  );
}

/** Publishes `n` messages to `uid` that expire after a second, through the batch route (1,000 a request). */
export async function publishExpiring(baseUrl: string, uid: string, n: number): Promise<void> {
  for (let sent = 0; sent < n; sent += 1000) {
    const messages = Array.from({ length: Math.min(1000, n - sent) }, (_, i) => ({ uid, msg: { n: sent + i }, ttlSeconds: 1 }));
    const res = await api(baseUrl, "POST", "/api/messages/batch", { messages });
    if (res.status !== 202) throw new Error(`POST /api/messages/batch answered ${res.status} ${JSON.stringify(res.body)}`);
  }
}
