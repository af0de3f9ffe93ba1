import type { AttemptRecord } from "../store/webhooks/webhook-queue.ts";
import type { PostResult } from "./create-webhook-sender.ts";
import { nextRetryDelayMs } from "./retry-schedule.ts";

/**
 * What one POST's answer means for its batch: 2xx sent; 410 disables the endpoint (the batch waits for it
 * to be enabled again, never lost); any other failure is retried after the schedule's next step (at least
 * Retry-After), or failed for good once the schedule is used up.
 */
export function attemptOutcome(
  batch: { id: string; attempt: number },
  result: PostResult,
  o: { schedule: readonly number[]; now: number; random?: () => number },
): AttemptRecord {
  const base = { id: batch.id, attempt: batch.attempt, durationMs: Math.round(result.durationMs), nextAt: null };
  if (result.outcome === "ok") return { ...base, outcome: "sent", status: result.status, error: null };
  if (result.outcome === "gone") return { ...base, outcome: "disable", status: 410, error: "410 Gone: the endpoint asked to be switched off" };
  const delay = nextRetryDelayMs(batch.attempt, o.schedule, {
    ...(result.retryAfterMs !== undefined ? { retryAfterMs: result.retryAfterMs } : {}),
    ...(o.random ? { random: o.random } : {}),
  });
  const failure = { status: result.status ?? null, error: result.error.slice(0, 500) };
  if (delay === null) return { ...base, ...failure, outcome: "failed" };
  return { ...base, ...failure, outcome: "retry", nextAt: new Date(o.now + delay) };
}
