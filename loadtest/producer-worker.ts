/** Forked process running one producer; reports progress ticks and its final tally. */
import { monitorEventLoopDelay } from "node:perf_hooks";
import type { FromProducer, ToProducer } from "./ipc-messages.ts";
import { LOOP_RESOLUTION_MS, loopDelaySummary } from "./pace.ts";
import { createProducer, type Producer } from "./producer.ts";

function main(): void {
  let producer: Producer | undefined;
  let tickMs = 500;
  const send = (m: FromProducer) => process.send?.(m);
  const loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  process.on("disconnect", () => process.exit(0));
  process.on("message", (raw) => {
    const m = raw as ToProducer;
    if (m.type === "init") {
      producer = createProducer(m.config);
      tickMs = m.config.tickMs;
      send({ type: "ready" });
    } else if (m.type === "start" && producer) {
      const p = producer;
      loop.enable();
      const ticker = setInterval(() => send({ type: "tick", progress: p.progress() }), tickMs);
      void p.run().then((final) => {
        clearInterval(ticker);
        send({ type: "done", final: { ...final, eventLoopDelayMs: loopDelaySummary(loop) } });
      });
    } else if (m.type === "stop") producer?.stop();
  });
}

main();
