import assert from "node:assert/strict";
import { test } from "node:test";
import { compareInstanceRuns } from "./instance-comparison.ts";
import type { ScenarioSummary } from "./summary.ts";

/** Just the fields the comparison reads. */
function run(instances: number, deliveredPerSec: number, serverMs: number | null, redisCalls: number | null, cpuSec = 1): ScenarioSummary {
  return {
    label: `hub×${instances}`,
    target: { kind: "hub", instances, nginx: false, urls: [] },
    throughput: { acceptedPerSec: deliveredPerSec, deliveredPerSec },
    latencyMs: { p99: 40 * instances },
    messages: { lost: 0 },
    cost: {
      serverMsPerMessage: serverMs,
      groups: [{ group: "servers", processes: instances, cpuSec, cpuPct: 0, msPerMessage: serverMs }],
      redis: redisCalls === null ? { unavailable: "refused" } : { callsPerMessage: redisCalls },
    },
  } as unknown as ScenarioSummary;
}

test("each count's figures, and their ratios to the first count's", () => {
  const rows = compareInstanceRuns([run(1, 1000, 0.5, 2), run(2, 900, 0.75, 2.2, 3), run(4, 800, 1, null, 8)]);
  assert.deepEqual(rows.map((r) => [r.instances, r.deliveredPerSec, r.serverMsPerMessage, r.serverCpuSec, r.redisCallsPerMessage, r.latencyP99Ms]), [
    [1, 1000, 0.5, 1, 2, 40],
    [2, 900, 0.75, 3, 2.2, 80],
    [4, 800, 1, 8, null, 160],
  ]);
  assert.deepEqual(rows.map((r) => r.ratios), [
    { deliveredPerSec: 1, serverMsPerMessage: 1, redisCallsPerMessage: 1 },
    { deliveredPerSec: 0.9, serverMsPerMessage: 1.5, redisCallsPerMessage: 1.1 },
    { deliveredPerSec: 0.8, serverMsPerMessage: 2, redisCallsPerMessage: null },
  ]);
});

test("a first run without a figure leaves that ratio empty", () => {
  const rows = compareInstanceRuns([run(1, 0, null, 0), run(2, 500, 0.5, 1)]);
  assert.deepEqual(rows[1]?.ratios, { deliveredPerSec: null, serverMsPerMessage: null, redisCallsPerMessage: null });
});
