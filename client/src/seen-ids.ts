/**
 * The ids handed to the app recently, for dedupe. A watermark (highest id) would not do: a live message
 * with a higher id can arrive while an older sync page is still being read, and the older ids on the
 * following pages must still get through. Bounded: past `capacity` the id added longest ago is forgotten.
 */
export class SeenIds {
  readonly #ids = new Set<string>();

  constructor(readonly capacity = 10_000) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError("capacity must be a positive integer");
  }

  /** Records `id`; true when it is new, false when it was seen (and is still remembered). */
  add(id: string): boolean {
    if (this.#ids.has(id)) return false;
    this.#ids.add(id);
    if (this.#ids.size > this.capacity) {
      // A Set iterates in insertion order: the first entry is the oldest.
      const oldest = this.#ids.values().next();
      if (!oldest.done) this.#ids.delete(oldest.value);
    }
    return true;
  }

  has(id: string): boolean {
    return this.#ids.has(id);
  }

  get size(): number {
    return this.#ids.size;
  }
}
