/**
 * `--cpu-hog N`: N busy-loop processes (nice 0) beside the servers, so a run measures them on a
 * box that is busy with other work. Each runs until stop(), or `maxSeconds` if this process dies.
 */
import { setPriority } from "node:os";
import { forkWorker, type WorkerChannel } from "./worker-channel.ts";

export type ToCpuHog = { type: "start"; maxSeconds: number };
export type FromCpuHog = { type: "spinning" };

export interface CpuHogs {
  pids: number[];
  stop(): Promise<void>;
}

export async function startCpuHogs(o: { count: number; maxSeconds: number }): Promise<CpuHogs> {
  const hogs: Array<WorkerChannel<ToCpuHog, FromCpuHog>> = [];
  const stop = async () => {
    await Promise.all(hogs.map((h) => h.close(2000)));
  };
  try {
    for (let i = 0; i < o.count; i++) {
      const hog = forkWorker<ToCpuHog, FromCpuHog>(new URL("./cpu-hog-worker.ts", import.meta.url), `cpu-hog-${i}`);
      hogs.push(hog);
      try {
        setPriority(hog.pid, 0);
      } catch {
        // not allowed to raise its priority above ours: it keeps ours
      }
      hog.send({ type: "start", maxSeconds: o.maxSeconds });
    }
    await Promise.all(hogs.map((h) => h.next("spinning", 30_000)));
  } catch (err) {
    await stop();
    throw err;
  }
  return { pids: hogs.map((h) => h.pid), stop };
}
