import { readFileSync } from "node:fs";

/** The soft "Max open files" of a /proc/<pid>/limits text, or null when it is unlimited or absent. */
export function parseOpenFilesLimit(limits: string): number | null {
  const m = /^Max open files\s+(\S+)/m.exec(limits);
  if (!m || m[1] === "unlimited") return null;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) ? n : null;
}

/** This process's soft descriptor limit where the system tells it (Linux), else null. */
export function openFilesLimit(): number | null {
  try {
    return parseOpenFilesLimit(readFileSync("/proc/self/limits", "utf8"));
  } catch {
    return null;
  }
}

/** Descriptors a hub needs besides its listener's connections: pools, Redis, logs, the monitoring listener. */
export const DESCRIPTOR_HEADROOM = 512;
