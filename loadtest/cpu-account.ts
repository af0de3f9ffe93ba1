/**
 * CPU seconds of a changing set of processes over one window, from repeated readings of their
 * cumulative CPU time. A process already running when the window opened counts from its first
 * reading; one started inside the window counts from zero; one that exits keeps its last reading
 * (what it used after that reading is missed). Pure.
 */

export interface CpuReading {
  pid: number;
  /** what the process is counted as: "server", "postgres", "redis", "cpu-hog", … */
  group: string;
  label: string;
  /** cumulative utime + stime, clock ticks */
  cpuTicks: number;
  /** process start, clock ticks since boot: tells a new process from a reused pid */
  startTicks: number;
}

export interface ProcessCpu {
  pid: number;
  group: string;
  label: string;
  cpuSec: number;
  /** started after the window opened (counted from zero) */
  bornInWindow: boolean;
}

export interface GroupCpu {
  group: string;
  processes: number;
  cpuSec: number;
}

export interface CpuAccount {
  observe(r: CpuReading): void;
  processes(): ProcessCpu[];
}

export function createCpuAccount(o: { windowStartTicks: number; hz: number }): CpuAccount {
  const seen = new Map<string, { reading: CpuReading; baseTicks: number; lastTicks: number }>();
  return {
    observe(r) {
      const key = `${r.pid}@${r.startTicks}`;
      const known = seen.get(key);
      if (known) {
        known.lastTicks = Math.max(known.lastTicks, r.cpuTicks);
        return;
      }
      const born = r.startTicks >= o.windowStartTicks;
      seen.set(key, { reading: r, baseTicks: born ? 0 : r.cpuTicks, lastTicks: r.cpuTicks });
    },
    processes() {
      return [...seen.values()].map(({ reading: r, baseTicks, lastTicks }) => ({
        pid: r.pid,
        group: r.group,
        label: r.label,
        cpuSec: (lastTicks - baseTicks) / o.hz,
        bornInWindow: r.startTicks >= o.windowStartTicks,
      }));
    },
  };
}

/** Sums per group, in the order the groups first appear. */
export function groupCpu(processes: ProcessCpu[]): GroupCpu[] {
  const out = new Map<string, GroupCpu>();
  for (const p of processes) {
    const g = out.get(p.group) ?? { group: p.group, processes: 0, cpuSec: 0 };
    g.processes++;
    g.cpuSec += p.cpuSec;
    out.set(p.group, g);
  }
  return [...out.values()];
}
