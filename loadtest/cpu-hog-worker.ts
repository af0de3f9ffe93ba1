/**
 * One `--cpu-hog` process: spins on the CPU until told to stop. It looks up every 50 ms, so it
 * exits as soon as the coordinator closes the IPC channel or goes away, and at `maxSeconds` at the
 * latest.
 */
import type { FromCpuHog, ToCpuHog } from "./cpu-hog.ts";

const SLICE_MS = 50;

function spin(deadline: number): void {
  if (Date.now() >= deadline || !process.connected) process.exit(0);
  const sliceEnd = performance.now() + SLICE_MS;
  while (performance.now() < sliceEnd) {
    // busy: this loop is the point
  }
  setImmediate(spin, deadline);
}

process.on("disconnect", () => process.exit(0));
process.on("message", (raw) => {
  const m = raw as ToCpuHog;
  if (m.type !== "start") return;
  process.send?.({ type: "spinning" } satisfies FromCpuHog);
  spin(Date.now() + m.maxSeconds * 1000);
});
