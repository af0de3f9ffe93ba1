/** Our figures as a ratio of the baseline (the bare Socket.IO ceiling) measured in the same run. */
import { ratioOf as ratio } from "./cost-figures.ts";
import type { ScenarioSummary } from "./summary.ts";

export interface Ratios {
  /** hub ÷ baseline; throughput ≤ 1 means slower than the ceiling */
  acceptedPerSec: number | null;
  deliveredPerSec: number | null;
  /** hub ÷ baseline; latency ≥ 1 means that many times the ceiling's latency */
  latencyP50: number | null;
  latencyP95: number | null;
  latencyP99: number | null;
  latencyMax: number | null;
  /** hub ÷ baseline server resources, summed over instances */
  serverCpuMean: number | null;
  serverRssMax: number | null;
  /** hub ÷ baseline server CPU ms per delivered message (publishing + grace, summed over instances) */
  serverCpuPerMessage: number | null;
  /** hub ÷ baseline Redis commands per delivered message, when both used Redis */
  redisCallsPerMessage: number | null;
  /** hub ÷ baseline live heap per connected client (--live-heap) */
  liveHeapPerConnection: number | null;
}

const redisPerMessage = (s: ScenarioSummary) => (s.cost?.redis && "callsPerMessage" in s.cost.redis ? s.cost.redis.callsPerMessage : null);

export function computeRatios(hub: ScenarioSummary, baseline: ScenarioSummary): Ratios {
  return {
    acceptedPerSec: ratio(hub.throughput.acceptedPerSec, baseline.throughput.acceptedPerSec),
    deliveredPerSec: ratio(hub.throughput.deliveredPerSec, baseline.throughput.deliveredPerSec),
    latencyP50: ratio(hub.latencyMs.p50, baseline.latencyMs.p50),
    latencyP95: ratio(hub.latencyMs.p95, baseline.latencyMs.p95),
    latencyP99: ratio(hub.latencyMs.p99, baseline.latencyMs.p99),
    latencyMax: ratio(hub.latencyMs.max, baseline.latencyMs.max),
    serverCpuMean: ratio(hub.serversTotal.cpuMeanPct, baseline.serversTotal.cpuMeanPct),
    serverRssMax: ratio(hub.serversTotal.rssMaxMB, baseline.serversTotal.rssMaxMB),
    serverCpuPerMessage: ratio(hub.cost?.serverMsPerMessage, baseline.cost?.serverMsPerMessage),
    redisCallsPerMessage: ratio(redisPerMessage(hub), redisPerMessage(baseline)),
    liveHeapPerConnection: ratio(hub.liveHeap?.perConnectionKB, baseline.liveHeap?.perConnectionKB),
  };
}
