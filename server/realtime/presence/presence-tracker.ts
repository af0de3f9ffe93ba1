import type { Logger } from "pino";

/** A uid came online (its first socket in the cluster) or went offline (its last one gone, debounced). */
export interface PresenceChange {
  type: "user.online" | "user.offline";
  uid: string;
  at: Date;
}

/** Decides a uid's online/offline transitions from its sockets coming and going. */
export interface PresenceTracker {
  /** A socket of uid was accepted on this instance. */
  joined(uid: string, socketId: string): void;
  /** That socket is gone. */
  left(uid: string, socketId: string): void;
  close(): Promise<void>;
}

export interface PresenceTrackerDeps {
  /** Writes the changes durably; a change is reported again until this resolves (at-least-once). */
  record: (changes: PresenceChange[]) => Promise<void>;
  /** True when some webhook endpoint subscribes to user events; when false, joins and leaves cost nothing. */
  wanted: () => boolean;
  /** A uid whose last socket reconnects within this long produces neither event. */
  debounceMs: number;
  logger: Logger;
  now?: () => number;
}
