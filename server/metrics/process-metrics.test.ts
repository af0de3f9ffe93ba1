import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { test } from "node:test";
import { Registry } from "prom-client";
import { registerProcessMetrics } from "./process-metrics.ts";

test("Node's metrics: the defaults, no per-handle listings, open fds counted", async () => {
  const registry = new Registry();
  registerProcessMetrics(registry);
  const text = await registry.metrics();
  assert.match(text, /^pushhub_process_process_cpu_user_seconds_total /m);
  assert.match(text, /^pushhub_process_nodejs_eventloop_lag_seconds /m);
  assert.doesNotMatch(text, /nodejs_active_handles|nodejs_active_resources/);
  if (process.platform !== "linux") return;
  const fds = Number(/^pushhub_process_process_open_fds (\d+)$/m.exec(text)?.[1]);
  const now = readdirSync("/proc/self/fd").length - 1;
  assert.ok(fds > 0 && Math.abs(fds - now) <= 5, `open fds ${fds}, /proc says ${now}`);
});
