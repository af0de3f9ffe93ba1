import { backoffDelay, type BackoffOptions } from "./backoff.ts";
import { HubClientError } from "./hub-client-error.ts";
import type { ResumePoint } from "./resume-point.ts";
import { readPages, type Page } from "./sync-pages.ts";

export interface CatchUpDeps<T extends { id: string }> {
  resume: ResumePoint;
  /** One `sync` page after `since`. */
  fetchPage: (since: string | null) => Promise<Page<T>>;
  /** Hands a message to the app (dedupe is the receiver's). */
  deliver: (message: T) => void;
  /** Whether the connection this catch-up started on is still up. */
  current: () => boolean;
  report: (err: HubClientError) => void;
  retry: BackoffOptions;
}

/**
 * Pages through `sync` from the resume point until the hub has no more, delivering each page oldest
 * first. A failure while the connection is still up is reported and retried with backoff; once the
 * connection is gone the catch-up just stops (the next connect starts a new one from where this one
 * got to). Returns the function that cancels a pending retry.
 */
export function startCatchUp<T extends { id: string }>(deps: CatchUpDeps<T>): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let cancelled = false;
  const run = async (failures: number): Promise<void> => {
    try {
      await readPages(deps.resume.since, deps.fetchPage, (messages, cursor) => {
        if (cancelled || !deps.current()) return false;
        for (const message of messages) deps.deliver(message);
        deps.resume.paged(cursor);
        return true;
      });
      if (!cancelled && deps.current()) deps.resume.markCaughtUp();
    } catch (err) {
      if (cancelled || !deps.current()) return;
      deps.report(err instanceof HubClientError ? err : new HubClientError("invalid_reply", String(err), { cause: err }));
      timer = setTimeout(() => void run(failures + 1), backoffDelay(failures, deps.retry));
    }
  };
  void run(0);
  return () => {
    cancelled = true;
    clearTimeout(timer);
  };
}
