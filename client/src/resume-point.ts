import { newerId } from "./message-ids.ts";

/**
 * Where the next catch-up `sync` starts: every message with an id up to `since` has been handed to the
 * app. Sync pages move it. Live messages move it only once the current connection has caught up —
 * before that a live message can be newer than ids still waiting on later pages, and a reconnect
 * starting past them would skip them. A lost connection ends the caught-up state until the next
 * catch-up finishes.
 */
export class ResumePoint {
  #since: string | null;
  #caughtUp = false;

  constructor(since: string | null) {
    this.#since = since;
  }

  /** Null: nothing seen yet, so nothing to catch up on. */
  get since(): string | null {
    return this.#since;
  }

  get caughtUp(): boolean {
    return this.#caughtUp;
  }

  /** A sync page was read up to `cursor`. */
  paged(cursor: string | null): void {
    this.#since = newerId(this.#since, cursor);
  }

  /** A live message arrived. */
  live(id: string): void {
    if (this.#caughtUp) this.#since = newerId(this.#since, id);
  }

  /** The catch-up of this connection finished (or was not needed). */
  markCaughtUp(): void {
    this.#caughtUp = true;
  }

  /** The connection dropped: messages may be missed until the next catch-up. */
  markLost(): void {
    this.#caughtUp = false;
  }
}
