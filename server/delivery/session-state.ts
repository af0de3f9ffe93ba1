/**
 * The states of one holding (a uid this instance delivers), and the moves between them:
 *
 *   active ──(last target gone)──▶ offline ──(a target came back)──▶ active
 *     │                              │
 *     │ (no ack in time: backoff;    │ (grace over: transfer to an instance with a socket of the uid,
 *     │  shutdown: handback)         │  or release when there is none)
 *     ▼                              ▼
 *   ending ──(written)──▶ ended     ending
 *   (an end that could not be written stays ending and is tried again while this instance is alive)
 *
 * - active:  at least one target (a socket here, or an instance relaying to its sockets). Messages go to
 *            every target in order, at most a window ahead of the acked position; acks move it.
 * - offline: no target. Nothing is sent; messages still arrive (and are kept, up to a window).
 * - ending:  an end (release, backoff, handback, transfer) is being written; nothing is sent.
 * - ended:   the holding is over (written, lost to a newer lease, or lapsed with this instance's life).
 */
export type SessionState = "active" | "offline" | "ending" | "ended";

const MOVES: Record<SessionState, readonly SessionState[]> = {
  active: ["offline", "ending", "ended"],
  offline: ["active", "ending", "ended"],
  ending: ["ended"],
  ended: [],
};

export function canMove(from: SessionState, to: SessionState): boolean {
  return MOVES[from].includes(to);
}

export class SessionStateError extends Error {
  constructor(from: SessionState, to: SessionState) {
    super(`a holding cannot go from ${from} to ${to}`);
  }
}
