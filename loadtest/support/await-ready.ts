/** Waiting for a started process to be ready, and giving up on it cleanly when it is not. */
import { waitFor } from "./wait-for.ts";
import type { WatchedChild } from "./watched-child.ts";

/**
 * Polls `isReady` until it holds; fails at once if the process exits. On failure the process is
 * SIGKILLed and the error carries its recent output.
 */
export async function awaitReady(
  proc: WatchedChild,
  isReady: () => Promise<boolean>,
  o: { what: string; timeoutMs: number; everyMs: number },
): Promise<void> {
  let outcome: string | false;
  try {
    outcome = await waitFor(
      async () => (proc.running() ? (await isReady()) && "ready" : `exited with ${await proc.exited}`),
      o.what,
      o.timeoutMs,
      o.everyMs,
    );
  } catch (err) {
    outcome = (err as Error).message;
  }
  if (outcome === "ready") return;
  await proc.stop("SIGKILL");
  throw new Error(`${o.what} did not become ready: ${outcome}\n${proc.output()}`);
}

export async function answers200(url: string): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
  await res.body?.cancel();
  return res.status === 200;
}
