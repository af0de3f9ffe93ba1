import type { UnreadPayload } from "./protocol.ts";

/**
 * The newest unread count from reports that may arrive in any order (a frame read before a `read` on
 * another device can arrive after it). Stamped reports (`total`, `cleared`) decide by their counters:
 * the largest of each seen is the newest. A bare count (a sync page) counts only until a stamped one came.
 */
export class UnreadCount {
  #total = -1;
  #cleared = -1;
  #count: number | null = null;

  get value(): number | null {
    return this.#count;
  }

  /** Takes a report; returns whether the count changed. */
  take(report: UnreadPayload | number): boolean {
    const before = this.#count;
    if (typeof report === "number" || report.total === undefined || report.cleared === undefined) {
      if (this.#total < 0) this.#count = typeof report === "number" ? report : report.count;
    } else {
      this.#total = Math.max(this.#total, report.total);
      this.#cleared = Math.max(this.#cleared, report.cleared);
      this.#count = Math.max(0, this.#total - this.#cleared);
    }
    return this.#count !== before;
  }
}
