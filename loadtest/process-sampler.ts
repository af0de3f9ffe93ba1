/**
 * Samples CPU (utime+stime from /proc/<pid>/stat) and RSS (VmRSS from /proc/<pid>/status) of a set
 * of processes once per interval. Linux only; a process that went away just stops producing samples.
 */
import { readdir, readFile } from "node:fs/promises";
import { clockTicks, readProcStat } from "./proc-stat.ts";
import { nowMs } from "./time-series.ts";

export interface SampledProcess {
  label: string;
  pid: number;
}

export interface ProcessSample {
  /** seconds since the run's t0 */
  at: number;
  cpuPct: number;
  rssMB: number;
}

export interface ProcessSamples extends SampledProcess {
  samples: ProcessSample[];
}

export interface ProcessSummary extends SampledProcess {
  cpuMeanPct: number;
  cpuMaxPct: number;
  rssMeanMB: number;
  rssMaxMB: number;
}

export interface ProcessSampler {
  start(): void;
  /** most recent sample of each process, for the live progress line */
  latest(): Array<SampledProcess & { sample?: ProcessSample }>;
  stop(): ProcessSamples[];
}

/** Direct children of a process (nginx's workers under its master), from the ppid field of /proc/<pid>/stat. */
export async function childPids(pid: number): Promise<number[]> {
  const out: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if ((await readProcStat(Number(entry))).ppid === pid) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out.sort((a, b) => a - b);
}

async function readRssMB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kb = /VmRSS:\s+(\d+)/.exec(status)?.[1];
  return kb ? Number(kb) / 1024 : 0;
}

export function createProcessSampler(deps: { processes: SampledProcess[]; t0: number; intervalMs?: number }): ProcessSampler {
  const hz = clockTicks();
  const state = deps.processes.map((p) => ({ ...p, samples: [] as ProcessSample[], lastTicks: -1, lastAt: 0, alive: true }));
  let timer: NodeJS.Timeout | undefined;

  const sampleOnce = async () => {
    await Promise.all(
      state.map(async (s) => {
        if (!s.alive) return;
        try {
          const [{ cpuTicks: ticks }, rssMB] = await Promise.all([readProcStat(s.pid), readRssMB(s.pid)]);
          const at = nowMs();
          if (s.lastTicks >= 0) {
            const cpuPct = ((ticks - s.lastTicks) / hz / ((at - s.lastAt) / 1000)) * 100;
            s.samples.push({ at: Math.round(((at - deps.t0) / 1000) * 100) / 100, cpuPct: Math.round(cpuPct * 10) / 10, rssMB: Math.round(rssMB * 10) / 10 });
          }
          s.lastTicks = ticks;
          s.lastAt = at;
        } catch {
          s.alive = false;
        }
      }),
    );
  };

  return {
    start() {
      void sampleOnce();
      timer = setInterval(() => void sampleOnce(), deps.intervalMs ?? 1000);
    },
    latest() {
      return state.map(({ label, pid, samples }) => ({ label, pid, sample: samples[samples.length - 1] }));
    },
    stop() {
      if (timer) clearInterval(timer);
      return state.map(({ label, pid, samples }) => ({ label, pid, samples }));
    },
  };
}

/** Summary over samples taken within [from, to] seconds (the publishing window, typically). */
export function summarizeProcess(p: ProcessSamples, from = -Infinity, to = Infinity): ProcessSummary {
  const window = p.samples.filter((s) => s.at >= from && s.at <= to);
  const use = window.length > 0 ? window : p.samples;
  const mean = (xs: number[]) => (xs.length ? Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 10) / 10 : 0);
  return {
    label: p.label,
    pid: p.pid,
    cpuMeanPct: mean(use.map((s) => s.cpuPct)),
    cpuMaxPct: Math.max(0, ...use.map((s) => s.cpuPct)),
    rssMeanMB: mean(use.map((s) => s.rssMB)),
    rssMaxMB: Math.max(0, ...use.map((s) => s.rssMB)),
  };
}
