/**
 * `--live-heap`: the live JS heap of each server process, read through its V8 inspector after a full
 * garbage collection. RSS counts garbage not yet collected (both servers run with 32 MB semi-spaces, so
 * either can hold tens of MB of it), which made memory per idle connection move from run to run; the
 * heap after a collection does not.
 */
import { WebSocket } from "undici";

/** Opens the inspector on a free loopback port; the process prints its URL on stderr. */
export const INSPECT_FLAG = "--inspect=127.0.0.1:0";

/** The inspector's WebSocket URL in a process's output ("Debugger listening on ws://…"). */
export function inspectorUrlOf(output: string): string | undefined {
  return /Debugger listening on (ws:\/\/\S+)/.exec(output)?.[1];
}

/** Live heap before the clients connect and with all of them connected (before publishing). */
export interface LiveHeapSummary {
  beforeMB: number;
  connectedMB: number;
  clients: number;
  perConnectionKB: number;
}

export function summarizeLiveHeap(beforeBytes: number, connectedBytes: number, clients: number): LiveHeapSummary {
  const round = (v: number) => Math.round(v * 10) / 10;
  return {
    beforeMB: round(beforeBytes / 1e6),
    connectedMB: round(connectedBytes / 1e6),
    clients,
    perConnectionKB: clients > 0 ? round((connectedBytes - beforeBytes) / clients / 1000) : 0,
  };
}

/** Bytes of live JS heap of one process: two full collections, then Runtime.getHeapUsage. */
export async function liveHeapBytes(url: string, timeoutMs = 60_000): Promise<number> {
  const ws = new WebSocket(url);
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  ws.addEventListener("message", (event) => {
    const reply = JSON.parse(String(event.data)) as { id?: number; result?: unknown; error?: { message: string } };
    const waiting = reply.id === undefined ? undefined : pending.get(reply.id);
    if (!waiting) return; // an event, not a reply
    pending.delete(reply.id as number);
    if (reply.error) waiting.reject(new Error(reply.error.message));
    else waiting.resolve(reply.result);
  });
  const call = (method: string) =>
    new Promise<unknown>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      ws.send(JSON.stringify({ id, method }));
    });
  const timer = setTimeout(() => ws.close(), timeoutMs);
  try {
    await new Promise<void>((resolve, reject) => {
      ws.addEventListener("open", () => resolve(), { once: true });
      ws.addEventListener("error", () => reject(new Error(`could not open the inspector at ${url}`)), { once: true });
    });
    const closed = new Promise<never>((_, reject) => ws.addEventListener("close", () => reject(new Error(`the inspector at ${url} closed`)), { once: true }));
    await Promise.race([call("HeapProfiler.collectGarbage"), closed]);
    await Promise.race([call("HeapProfiler.collectGarbage"), closed]);
    const usage = (await Promise.race([call("Runtime.getHeapUsage"), closed])) as { usedSize: number };
    return usage.usedSize;
  } finally {
    clearTimeout(timer);
    ws.close();
  }
}

/** The live heap summed over processes (instances of one kind). */
export async function liveHeapOf(urls: readonly (string | undefined)[]): Promise<number> {
  let total = 0;
  for (const url of urls) {
    if (!url) throw new Error("--live-heap: a server process printed no inspector URL");
    total += await liveHeapBytes(url);
  }
  return total;
}
