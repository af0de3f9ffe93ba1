/**
 * A forked TypeScript worker (run through tsx) with typed messages: `on` for streaming messages
 * (ticks), `next(type)` to await a particular reply, failing fast if the worker dies.
 */
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

export interface WorkerChannel<In extends { type: string }, Out extends { type: string }> {
  readonly pid: number;
  send(m: In): void;
  on<T extends Out["type"]>(type: T, fn: (m: Extract<Out, { type: T }>) => void): void;
  next<T extends Out["type"]>(type: T, timeoutMs: number): Promise<Extract<Out, { type: T }>>;
  /** closes the IPC channel (the worker exits on it), kills it if still alive after graceMs */
  close(graceMs?: number): Promise<void>;
}

export function forkWorker<In extends { type: string }, Out extends { type: string }>(
  moduleUrl: URL,
  name: string,
): WorkerChannel<In, Out> {
  const child: ChildProcess = fork(fileURLToPath(moduleUrl), [], {
    execArgv: ["--import", import.meta.resolve("tsx")],
    serialization: "advanced",
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const listeners = new Map<string, Array<(m: Out) => void>>();
  const waiters = new Map<string, Array<{ resolve: (m: Out) => void; reject: (e: Error) => void }>>();
  const buffered: Out[] = [];
  let exited: Error | undefined;

  child.on("message", (raw) => {
    const m = raw as Out;
    for (const fn of listeners.get(m.type) ?? []) fn(m);
    const w = waiters.get(m.type)?.shift();
    if (w) w.resolve(m);
    else if (!listeners.has(m.type)) buffered.push(m);
  });
  child.on("exit", (code, signal) => {
    exited = new Error(`${name} (pid ${child.pid}) exited with ${signal ?? code}`);
    for (const list of waiters.values()) for (const w of list) w.reject(exited);
    waiters.clear();
  });

  return {
    pid: child.pid ?? -1,
    send(m) {
      if (child.connected) child.send(m);
    },
    on(type, fn) {
      const list = listeners.get(type) ?? [];
      list.push(fn as (m: Out) => void);
      listeners.set(type, list);
    },
    next(type, timeoutMs) {
      const i = buffered.findIndex((m) => m.type === type);
      if (i >= 0) return Promise.resolve(buffered.splice(i, 1)[0] as Extract<Out, { type: typeof type }>);
      if (exited) return Promise.reject(exited);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${name}: no "${type}" within ${timeoutMs} ms`)), timeoutMs);
        const list = waiters.get(type) ?? [];
        list.push({
          resolve: (m) => {
            clearTimeout(timer);
            resolve(m as Extract<Out, { type: typeof type }>);
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        });
        waiters.set(type, list);
      });
    },
    async close(graceMs = 3000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise<void>((r) => child.once("exit", () => r()));
      if (child.connected) child.disconnect();
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await gone;
      clearTimeout(timer);
    },
  };
}
