import { HubClientError } from "./hub-client-error.ts";
import { compareIds, newerId } from "./message-ids.ts";

export interface Page<T extends { id: string }> {
  messages: T[];
  next: string | null;
}

/**
 * Reads pages from `since` until the hub says there are no more (`next` null), handing each page to
 * `onPage` with the cursor it reaches: every message with an id up to that cursor has now been read.
 * `onPage` returns false to stop early (the connection it belongs to is gone). Resolves with the last
 * cursor reached. A `next` that does not move forward is rejected rather than looped on.
 */
export async function readPages<T extends { id: string }>(
  since: string | null,
  fetchPage: (since: string | null) => Promise<Page<T>>,
  onPage: (messages: T[], cursor: string | null) => boolean,
): Promise<string | null> {
  let cursor = since;
  for (;;) {
    const page = await fetchPage(cursor);
    const last = page.messages.at(-1)?.id ?? null;
    if (page.next !== null && cursor !== null && compareIds(page.next, cursor) <= 0) {
      throw new HubClientError("invalid_reply", `sync page after ${cursor} pointed back to ${page.next}`);
    }
    cursor = newerId(cursor, page.next ?? last);
    if (!onPage(page.messages, cursor) || page.next === null) return cursor;
  }
}
