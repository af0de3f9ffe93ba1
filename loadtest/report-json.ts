/** The machine-readable result of one invocation, and writing it to disk. */
import { mkdir, writeFile } from "node:fs/promises";
import { cpus, totalmem } from "node:os";
import { dirname } from "node:path";
import type { LoadTestOptions } from "./cli-options.ts";
import { compareInstanceRuns, type InstanceComparisonRow } from "./instance-comparison.ts";
import { computeRatios, type Ratios } from "./ratios.ts";
import type { ScenarioSummary } from "./summary.ts";

export interface LoadTestResult {
  name: string;
  startedAt: string;
  finishedAt: string;
  machine: { cpus: number; cpuModel: string; memoryGB: number; node: string; platform: string };
  options: Omit<LoadTestOptions, "jwtSecret" | "apiKey">;
  hub?: ScenarioSummary;
  baseline?: ScenarioSummary;
  /** hub figures ÷ baseline figures, when both ran */
  ratios?: Ratios;
  /** --compare-instances: the hub run at each instance count, and the figures side by side */
  instanceRuns?: ScenarioSummary[];
  instanceComparison?: InstanceComparisonRow[];
  /**
   * true when the hub (or, with --baseline-only, the baseline; with --compare-instances, every
   * hub run) lost no accepted message and misrouted none
   */
  ok: boolean;
}

export function buildResult(o: {
  name: string;
  options: LoadTestOptions;
  startedAt: Date;
  hub?: ScenarioSummary;
  baseline?: ScenarioSummary;
  instanceRuns?: ScenarioSummary[];
}): LoadTestResult {
  const { jwtSecret: _j, apiKey: _a, ...options } = o.options;
  // the baseline has no backlog or retries, so only the hub is held to zero loss when both ran
  const judged = o.instanceRuns ?? [o.hub ?? o.baseline];
  return {
    name: o.name,
    startedAt: o.startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? "unknown",
      memoryGB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
    },
    options,
    ...(o.hub ? { hub: o.hub } : {}),
    ...(o.baseline ? { baseline: o.baseline } : {}),
    ...(o.hub && o.baseline ? { ratios: computeRatios(o.hub, o.baseline) } : {}),
    ...(o.instanceRuns ? { instanceRuns: o.instanceRuns, instanceComparison: compareInstanceRuns(o.instanceRuns) } : {}),
    ok: judged.length > 0 && judged.every((s) => s !== undefined && s.messages.lost === 0 && s.messages.misrouted === 0),
  };
}

export async function writeJsonReport(path: string, result: LoadTestResult): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, JSON.stringify(result, null, 2) + "\n");
}
