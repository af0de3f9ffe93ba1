/** The longest pause between two chunks, whatever the duty (a slow chunk must not park a publish for long). */
const MAX_PAUSE_MS = 5000;

/** How long the fan-out waits after a chunk that took `chunkMs` so that writing takes `duty` of its time. */
export function pauseAfterMs(chunkMs: number, duty: number): number {
  if (duty >= 1 || chunkMs <= 0) return 0;
  return Math.min(MAX_PAUSE_MS, (chunkMs * (1 - duty)) / duty);
}

export const pause = (ms: number): Promise<void> => (ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve());
