/**
 * `--webhooks`: a receiver the started hub sends its `message.delivered` webhooks to, registered through
 * the hub's own API. It counts events and POSTs and how long after `deliveredAt` each event arrived, and
 * answers 204 at once, so a run measures what webhooks cost the hub, not a receiver.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createHistogram, recordValue, summarize } from "./stats.ts";

export interface WebhookSink {
  url: string;
  /** Registers the sink as an endpoint for message.delivered on the hub at `hubUrl`. */
  register(hubUrl: string, apiKey: string): Promise<void>;
  summary(): { posts: number; events: number; distinct: number; lagMs: { p50: number; p99: number; max: number } };
  close(): Promise<void>;
}

export async function startWebhookSink(): Promise<WebhookSink> {
  let posts = 0;
  const ids = new Set<string>();
  let events = 0;
  const lags = createHistogram(); // ms
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const now = Date.now();
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { data: { items: { id: string; deliveredAt: string }[] } };
        posts++;
        for (const item of body.data.items) {
          events++;
          ids.add(item.id);
          recordValue(lags, Math.max(0, now - Date.parse(item.deliveredAt)));
        }
      } catch {
        // counted as nothing; still answered 204 so the hub does not retry it
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return {
    url,
    async register(hubUrl, apiKey) {
      const res = await fetch(`${hubUrl}/api/webhooks`, {
        method: "POST",
        headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
        body: JSON.stringify({ url, events: ["message.delivered"], description: "load test sink" }),
      });
      if (res.status !== 201) throw new Error(`could not register the webhook sink: ${res.status} ${await res.text()}`);
    },
    summary() {
      const l = summarize(lags);
      return { posts, events, distinct: ids.size, lagMs: { p50: Math.round(l.p50), p99: Math.round(l.p99), max: Math.round(l.max) } };
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export const formatWebhooks = (label: string, s: ReturnType<WebhookSink["summary"]>, delivered: number): string =>
  `${label}: webhooks on: ${s.events} message.delivered events (${s.distinct} distinct, of ${delivered} messages received) in ${s.posts} POSTs; ` +
  `deliveredAt → receiver p50 ${s.lagMs.p50} p99 ${s.lagMs.p99} max ${s.lagMs.max} ms`;
