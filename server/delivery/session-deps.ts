import type { EndRequest, EndResult } from "../store/end-holdings.ts";
import type { Position } from "../store/record-positions.ts";
import type { ReadFrom, WindowRead } from "../store/read-windows.ts";
import type { StreamMessage } from "../store/stream-message.ts";
import type { UnreadStamp } from "../store/unread-stamp.ts";

/** How a holding ended: what the store made of it, or lapsed (given up without a write). */
export type SessionEnd = EndResult | { state: "lapsed"; lease: bigint; lastSeq: null };

/** What the owner of a holding learns of it when it ends. */
export interface EndedSession {
  readonly uid: string;
  readonly lease: bigint;
  readonly unreadStamp: UnreadStamp;
}

/** What one holding (a StreamSession) needs from the engine that runs it. */
export interface SessionDeps {
  window: number;
  windowBytes: number;
  /** Most messages one batch to a target carries. */
  batchMax: number;
  ackTimeoutMs: number;
  /** Acked progress is recorded at most this often while the holding goes on (and always at its end). */
  recordMs: number;
  /** With no target left (after having had one), wait this long for one to come back before giving the holding up. */
  offlineGraceMs: number;
  /** False once this instance cannot be sure it is still alive (its heartbeat lapsed): stop sending. */
  canSend: () => boolean;
  /** A producer cancelled it after it was read: dropped unsent. */
  isCancelled: (id: bigint) => boolean;
  read: (from: ReadFrom) => Promise<WindowRead | undefined>;
  record: (position: Position) => Promise<void>;
  end: (request: EndRequest) => Promise<EndResult | undefined>;
  /** Other instances holding sockets of the uid (empty: none, or nobody can tell). */
  locate: (uid: string) => Promise<string[]>;
  backoffMs: (failures: number) => number;
  /** A message went to a target for the first time (`latencyMs` since it was accepted). */
  onFirstSend: (m: StreamMessage, attempt: number) => void;
  /** Acked, `sentMs` after it was first sent. */
  onAcked: (m: StreamMessage, sentMs: number) => void;
  onTimeout: () => void;
  onSkipped: (count: number) => void;
  /** The messages this holding keeps in memory changed by `delta`. */
  onHeld: (delta: number) => void;
  onEnd: (session: EndedSession, result: SessionEnd, request?: EndRequest) => void;
  now?: () => number;
}
