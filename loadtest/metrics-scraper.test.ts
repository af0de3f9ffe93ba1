import assert from "node:assert/strict";
import { createServer } from "node:http";
import { test } from "node:test";
import { Counter, Histogram, Registry } from "prom-client";
import { createMetricsScraper } from "./metrics-scraper.ts";
import { phaseTimings } from "./phase-timings.ts";

test("the scraper keeps what the phase histogram and the counters observed between its first and last scrape", async () => {
  const registry = new Registry();
  const phases = new Histogram({ name: "pushhub_phase_seconds", help: "phases", labelNames: ["phase"], buckets: [0.001, 0.01, 0.1], registers: [registry] });
  const accepted = new Counter({ name: "pushhub_messages_accepted_total", help: "accepted", registers: [registry] });
  phases.observe({ phase: "accept" }, 0.05); // before the first scrape: not counted
  accepted.inc(3);
  let firstServed: () => void = () => undefined;
  const served = new Promise<void>((r) => (firstServed = r));
  const server = createServer((req, res) => {
    void registry.metrics().then((text) => {
      res.writeHead(req.url === "/metrics" ? 200 : 404, { "content-type": registry.contentType });
      res.end(text);
      firstServed();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  try {
    const scraper = createMetricsScraper({ targets: [{ label: "hub-0", url }], t0: Date.now(), intervalMs: 60_000 });
    scraper.start();
    await served; // what follows is not in the first scrape's text
    for (let i = 0; i < 9; i++) phases.observe({ phase: "accept" }, 0.005);
    phases.observe({ phase: "accept" }, 0.5);
    phases.observe({ phase: "emit" }, 0.0005);
    accepted.inc(10);
    const [hub] = await scraper.stop();
    assert.ok(hub?.available);
    assert.equal(hub.counterDeltas.pushhub_messages_accepted_total, 10);
    assert.deepEqual(Object.keys(hub.phaseHistograms).sort(), ["accept", "emit"]);
    assert.equal(hub.phaseHistograms.accept?.count, 10);
    const rows = phaseTimings([hub.phaseHistograms]);
    // 9 of the 10 in (1 ms, 10 ms], one above 100 ms: p50 at rank 5 → 1 + 9 × 5/9 ms; p99 in +Inf → 100 ms
    assert.deepEqual(rows.map((x) => [x.phase, x.count, x.p50Ms, x.p99Ms]), [
      ["accept", 10, 6, 100],
      ["emit", 1, 0.5, 0.99],
    ]);
  } finally {
    server.close();
  }
});
