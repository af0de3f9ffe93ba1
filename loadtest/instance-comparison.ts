/**
 * --compare-instances: the hub at several instance counts side by side, each figure also as a
 * ratio of the first (smallest) count's. Pure.
 */
import { GROUP, ratioOf } from "./cost-figures.ts";
import type { ScenarioSummary } from "./summary.ts";

export interface InstanceComparisonRow {
  label: string;
  instances: number;
  deliveredPerSec: number;
  /** hub CPU seconds over publishing + grace, summed over instances, per delivered message (ms) */
  serverMsPerMessage: number | null;
  serverCpuSec: number | null;
  redisCallsPerMessage: number | null;
  latencyP99Ms: number;
  lost: number;
  /** ÷ the first row's figure */
  ratios: { deliveredPerSec: number | null; serverMsPerMessage: number | null; redisCallsPerMessage: number | null };
}

const redisCalls = (s: ScenarioSummary) => (s.cost?.redis && "callsPerMessage" in s.cost.redis ? s.cost.redis.callsPerMessage : null);

export function compareInstanceRuns(runs: ScenarioSummary[]): InstanceComparisonRow[] {
  const rows = runs.map((s) => ({
    label: s.label,
    instances: s.target.instances,
    deliveredPerSec: s.throughput.deliveredPerSec,
    serverMsPerMessage: s.cost?.serverMsPerMessage ?? null,
    serverCpuSec: s.cost?.groups.find((g) => g.group === GROUP.servers)?.cpuSec ?? null,
    redisCallsPerMessage: redisCalls(s),
    latencyP99Ms: s.latencyMs.p99,
    lost: s.messages.lost,
  }));
  const first = rows[0];
  return rows.map((x) => ({
    ...x,
    ratios: {
      deliveredPerSec: ratioOf(x.deliveredPerSec, first?.deliveredPerSec),
      serverMsPerMessage: ratioOf(x.serverMsPerMessage, first?.serverMsPerMessage),
      redisCallsPerMessage: ratioOf(x.redisCallsPerMessage, first?.redisCallsPerMessage),
    },
  }));
}
