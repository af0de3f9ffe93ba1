import type { RelayPort } from "./relay-notice.ts";

export interface JoinWatchDeps {
  relay?: RelayPort;
  /** How long a holder has to answer a join. */
  answerMs: number;
  /** The holder asked did not answer in time. */
  onSilent: (uid: string) => void;
}

/**
 * Joins asked of other instances: "send the uid's messages to my sockets too". One per uid; an answer (its
 * first frame, or notHeld) clears it, silence reports it so the asker can look again.
 */
export function createJoinWatch(deps: JoinWatchDeps) {
  const waiting = new Map<string, NodeJS.Timeout>();

  const clear = (uid: string): void => {
    clearTimeout(waiting.get(uid));
    waiting.delete(uid);
  };

  return {
    ask(uid: string, holder: string): void {
      deps.relay?.send(holder, { t: "join", uid });
      clear(uid);
      const timer = setTimeout(() => {
        waiting.delete(uid);
        deps.onSilent(uid);
      }, deps.answerMs);
      waiting.set(uid, timer.unref());
    },
    clear,
    has: (uid: string): boolean => waiting.has(uid),
    stop(): void {
      for (const t of waiting.values()) clearTimeout(t);
      waiting.clear();
    },
  };
}

export type JoinWatch = ReturnType<typeof createJoinWatch>;
