import assert from "node:assert/strict";
import { waitFor } from "../../loadtest/support/wait-for.ts";
import { connectScaleClient, type ScaleClient, type ScaleClientOptions } from "./scale-client.ts";
import type { ScaleCluster } from "./scale-cluster.ts";

/**
 * Connects clients through nginx from 127.0.N.1 (N = 1, 2, …; ip_hash keys on the third octet) until
 * every instance holds `perInstance` of them, and returns which instance each landed on — read off the
 * instances' own `pushhub_connections` gauges, one connect at a time.
 */
export async function spreadClients(
  cluster: ScaleCluster,
  o: { tag: string; perInstance: number; sink: ScaleClient[] } & Omit<ScaleClientOptions, "localAddress">,
): Promise<Map<ScaleClient, number>> {
  const placed = new Map<ScaleClient, number>();
  const counts = cluster.hubs.map(() => 0);
  for (let n = 1; n <= 100 && counts.some((c) => c < o.perInstance); n++) {
    const before = await cluster.connections();
    const client = await connectScaleClient(cluster.nginx!.url, `${o.tag}-${n}`, { ...o, localAddress: `127.0.${n}.1` });
    o.sink.push(client);
    const after = await waitFor(async () => {
      const now = await cluster.connections();
      return now.some((c, i) => c !== before[i]) ? now : null;
    }, "a connection gauge to move");
    const instance = after.findIndex((c, i) => c !== before[i]);
    counts[instance]!++;
    placed.set(client, instance);
  }
  assert.ok(counts.every((c) => c >= o.perInstance), `clients on every instance: ${counts.join("/")}`);
  return placed;
}

/** The numeric part of a spread client's uid, i.e. N of its 127.0.N.1. */
export const octetOf = (client: ScaleClient) => client.uid.split("-").at(-1)!;
