import type { ClaimedMessage } from "../store/claimed-message.ts";

/**
 * How one attempt ended: a client acked; nobody of the uid was connected (offline); or sockets were
 * there but none acked in time.
 */
export type Outcome = "acked" | "offline" | "timeout";

export interface AttemptResult {
  message: ClaimedMessage;
  outcome: Outcome;
  at: Date;
}

/** Socket.IO broadcast-with-ack result → outcome: any response is an ack; no error and none means an empty room. */
export function classify(err: unknown, responses: unknown[]): Outcome {
  if (responses.length > 0) return "acked";
  return err ? "timeout" : "offline";
}
