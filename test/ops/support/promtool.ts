import { spawnSync } from "node:child_process";

export interface PromtoolRun {
  status: number;
  output: string;
}

/**
 * Runs `promtool args…` (60 s at most). Without promtool this throws: the tests that need it fail
 * rather than skip (CI installs it: Debian's `prometheus` package).
 */
export function promtool(args: string[], cwd?: string): PromtoolRun {
  const r = spawnSync("promtool", args, { cwd, encoding: "utf8", timeout: 60_000 });
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === "ENOENT") {
    throw new Error("promtool is not installed: `apt-get install prometheus` (Debian) or put promtool on PATH");
  }
  if (r.error) throw r.error;
  return { status: r.status ?? 1, output: `${r.stdout}${r.stderr}` };
}
