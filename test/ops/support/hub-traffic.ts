import { waitFor } from "../../../loadtest/support/wait-for.ts";
import type { TestClient } from "../../support/client.ts";
import { publish } from "../../support/http.ts";
import { readMetric } from "../../support/metrics.ts";

/** Publishes `n` messages to the client's uid over the HTTP API and waits until the hub counts them acked. */
export async function sendAcked(baseUrl: string, client: TestClient, n: number): Promise<void> {
  const start = await readMetric(baseUrl, "pushhub_messages_acked_total");
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push(await publish(baseUrl, client.uid, { n: i }));
  await waitFor(() => ids.every((id) => client.ids().includes(id)), `${n} messages received by ${client.uid}`);
  await waitFor(async () => (await readMetric(baseUrl, "pushhub_messages_acked_total")) >= start + n, `${n} acks counted`, 15_000, 100);
}

/** Publishes `n` messages without waiting for anything but their 202s. */
export async function sendQueued(baseUrl: string, uid: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await publish(baseUrl, uid, { n: i });
}
