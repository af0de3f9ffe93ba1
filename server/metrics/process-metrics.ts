import { readdir } from "node:fs/promises";
import { Gauge, collectDefaultMetrics, type Registry } from "prom-client";

const PREFIX = "pushhub_process_";
/**
 * Node's defaults that list every handle at each scrape, synchronously: with 5,000 sockets they block the
 * event loop ~3 ms each (open fds ~3, handles ~1, resources ~2), and every message in flight waits.
 */
const LISTING_EVERY_HANDLE = ["nodejs_active_handles", "nodejs_active_handles_total", "nodejs_active_resources", "nodejs_active_resources_total", "process_open_fds"];

/**
 * Node's own metrics as `pushhub_process_*`: prom-client's defaults, without the handle and resource
 * counts, and with the open file descriptors counted off the event loop.
 */
export function registerProcessMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry, prefix: PREFIX });
  for (const name of LISTING_EVERY_HANDLE) registry.removeSingleMetric(PREFIX + name);
  if (process.platform !== "linux") return;
  new Gauge({
    name: `${PREFIX}process_open_fds`,
    help: "Number of open file descriptors.",
    registers: [registry],
    async collect() {
      // Listed on libuv's thread pool; minus the descriptor the listing itself held.
      const fds = await readdir("/proc/self/fd").catch(() => undefined);
      if (fds) this.set(fds.length - 1);
    },
  });
}
