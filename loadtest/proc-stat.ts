/** Reading a process's CPU time and start time from /proc/<pid>/stat. Linux only. */
import { execFileSync } from "node:child_process";
import { readFile } from "node:fs/promises";

/** Clock ticks per second (USER_HZ), the unit of the CPU and start-time fields in /proc. */
export function clockTicks(): number {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
}

export interface ProcStat {
  /** the process name (comm), at most 15 characters */
  comm: string;
  ppid: number;
  /** utime + stime, in clock ticks */
  cpuTicks: number;
  /** when the process started, in clock ticks since boot */
  startTicks: number;
}

/** Parses the text of /proc/<pid>/stat; the name is in parentheses and may itself contain spaces. */
export function parseProcStat(text: string): ProcStat {
  const open = text.indexOf("("), close = text.lastIndexOf(")");
  // fields after the name, counted from 3 (state): ppid 4, utime 14, stime 15, starttime 22
  const rest = text.slice(close + 2).split(" ");
  return {
    comm: text.slice(open + 1, close),
    ppid: Number(rest[1]),
    cpuTicks: Number(rest[11]) + Number(rest[12]),
    startTicks: Number(rest[19]),
  };
}

export async function readProcStat(pid: number): Promise<ProcStat> {
  return parseProcStat(await readFile(`/proc/${pid}/stat`, "utf8"));
}

/** Seconds since boot (/proc/uptime), comparable with a process's start time ÷ clock ticks. */
export async function readUptimeSec(): Promise<number> {
  return Number((await readFile("/proc/uptime", "utf8")).split(" ")[0]);
}
