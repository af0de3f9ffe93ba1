/** A child process this program started and must stop: its exit, its recent output, and stopping it. */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";

export interface WatchedChild {
  child: ChildProcess;
  pid: number;
  /** Resolves with the exit code, or the signal name, once it has exited (or the spawn error). */
  exited: Promise<number | string>;
  running(): boolean;
  /** The last `keepChars` of stdout + stderr, for failure messages. */
  output(): string;
  /** Sends `signal`, SIGKILL (to the group) after `graceMs`; resolves with what `exited` resolves with. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<number | string>;
}

export interface WatchOptions {
  cwd?: string;
  /** Added to this process's environment. */
  env?: Record<string, string>;
  /** All output is also appended here. */
  logFile?: string;
  keepChars?: number;
  /** Own process group, so the last-resort SIGKILL also reaches its children (nginx workers). */
  processGroup?: boolean;
}

export function spawnWatched(command: string, args: string[], o: WatchOptions = {}): WatchedChild {
  const child = spawn(command, args, {
    ...(o.cwd ? { cwd: o.cwd } : {}),
    env: { ...process.env, ...o.env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: o.processGroup ?? false,
  });
  const keep = o.keepChars ?? 20_000;
  let out = "";
  const log = o.logFile ? createWriteStream(o.logFile, { flags: "a" }) : undefined;
  log?.on("error", () => undefined); // a log that cannot be written must not take the program down
  const collect = (d: Buffer) => {
    out = (out + d.toString()).slice(-keep);
    if (log && !log.writableEnded) log.write(d);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  child.once("close", () => log?.end());
  let gone = false;
  const exited = new Promise<number | string>((resolve) => {
    child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown"));
    child.once("error", (err) => {
      out += String(err);
      resolve(String(err));
    });
  }).then((code) => {
    gone = true;
    return code;
  });
  const kill = (signal: NodeJS.Signals) => {
    if (o.processGroup && child.pid) {
      try {
        process.kill(-child.pid, signal);
        return;
      } catch {
        // the group is gone already; fall back to the process itself
      }
    }
    child.kill(signal);
  };
  return {
    child,
    pid: child.pid ?? -1,
    exited,
    running: () => !gone,
    output: () => out,
    async stop(signal = "SIGTERM", graceMs = 15_000) {
      if (gone) return exited;
      // Other signals go to the process alone: nginx's master, for one, passes them on to its workers.
      if (signal === "SIGKILL") kill(signal);
      else child.kill(signal);
      const timer = setTimeout(() => kill("SIGKILL"), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
