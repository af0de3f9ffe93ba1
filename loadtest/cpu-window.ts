/**
 * Measures the CPU seconds of groups of processes over one window (start() … end()): reads their
 * cumulative CPU time from /proc at both ends and once per interval in between, so processes that
 * come and go (PostgreSQL backends) are caught too. See cpu-account.ts for what is counted.
 */
import { createCpuAccount, type ProcessCpu } from "./cpu-account.ts";
import { clockTicks, readProcStat, readUptimeSec } from "./proc-stat.ts";
import { nowMs } from "./time-series.ts";

export interface WatchedPid {
  pid: number;
  group: string;
  label: string;
  /** the process name /proc must show, so a pid from another machine or namespace is not misread */
  comm?: string;
}

/** Lists the processes to read now; may change from call to call. */
export type PidSource = () => Promise<WatchedPid[]>;

export interface CpuWindow {
  /** epoch ms */
  startMs: number;
  endMs: number;
  processes: ProcessCpu[];
  /** why a source or process could not be read (each reason once) */
  problems: string[];
}

export interface CpuWindowMeter {
  start(): Promise<void>;
  end(): Promise<CpuWindow>;
}

export function createCpuWindowMeter(deps: { sources: PidSource[]; intervalMs?: number }): CpuWindowMeter {
  const hz = clockTicks();
  const problems = new Set<string>();
  let account: ReturnType<typeof createCpuAccount> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let polling: Promise<void> = Promise.resolve();
  let startMs = 0;

  const read = new Set<number>(), unreadable = new Map<number, string>();
  const readOne = async (w: WatchedPid) => {
    try {
      const stat = await readProcStat(w.pid);
      if (w.comm !== undefined && stat.comm !== w.comm) {
        problems.add(`${w.label}: pid ${w.pid} is "${stat.comm}" here, not ${w.comm} (another machine or pid namespace?)`);
        return;
      }
      account?.observe({ pid: w.pid, group: w.group, label: w.label, cpuTicks: stat.cpuTicks, startTicks: stat.startTicks });
      read.add(w.pid);
    } catch {
      // exited meanwhile: its last reading stands
      unreadable.set(w.pid, w.label);
    }
  };

  const pollOnce = async () => {
    await Promise.all(
      deps.sources.map(async (source) => {
        let list: WatchedPid[];
        try {
          list = await source();
        } catch (err) {
          problems.add((err as Error).message);
          return;
        }
        await Promise.all(list.map(readOne));
      }),
    );
  };
  let pending = 0;
  /** One reading at a time; a tick that finds one still running is skipped. */
  const poll = (always: boolean) => {
    if (pending > 0 && !always) return polling;
    pending++;
    polling = polling.then(pollOnce).finally(() => pending--);
    return polling;
  };

  return {
    async start() {
      account = createCpuAccount({ windowStartTicks: Math.floor((await readUptimeSec()) * hz), hz });
      startMs = nowMs();
      await poll(true);
      timer = setInterval(() => void poll(false), deps.intervalMs ?? 1000);
    },
    async end() {
      if (timer) clearInterval(timer);
      await poll(true);
      for (const [pid, label] of unreadable) if (!read.has(pid)) problems.add(`${label}: pid ${pid} could not be read from /proc`);
      return { startMs, endMs: nowMs(), processes: account?.processes() ?? [], problems: [...problems] };
    },
  };
}

/** A fixed list of processes (servers, nginx, a redis-server, CPU hogs). */
export const fixedPids = (list: WatchedPid[]): PidSource => () => Promise.resolve(list);
