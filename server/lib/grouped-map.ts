/** One key's value, kept as is while it is its group's only one. */
interface Lone<V> {
  key: string;
  value: V;
}

/**
 * Values by key within groups (a uid's sockets). Most groups hold one value for their whole life, so a
 * lone one is kept without a Map of its own: a Map costs ~260 bytes, and every connected uid has a group
 * in several of these.
 */
export class GroupedMap<V> {
  private readonly groups = new Map<string, Lone<V> | Map<string, V>>();

  /** Sets `key` in `group`. */
  set(group: string, key: string, value: V): void {
    const g = this.groups.get(group);
    if (g === undefined || (!(g instanceof Map) && g.key === key)) return void this.groups.set(group, { key, value });
    if (g instanceof Map) return void g.set(key, value);
    this.groups.set(
      group,
      new Map([
        [g.key, g.value],
        [key, value],
      ]),
    );
  }

  /** Removes `key` from `group`; returns whether it was there. An empty group is forgotten. */
  delete(group: string, key: string): boolean {
    const g = this.groups.get(group);
    if (g === undefined) return false;
    if (!(g instanceof Map)) {
      if (g.key !== key) return false;
      this.groups.delete(group);
      return true;
    }
    if (!g.delete(key)) return false;
    if (g.size === 0) this.groups.delete(group);
    return true;
  }

  /** How many values `group` holds. */
  size(group: string): number {
    const g = this.groups.get(group);
    return g === undefined ? 0 : g instanceof Map ? g.size : 1;
  }

  has(group: string): boolean {
    return this.groups.has(group);
  }

  /** The values of `group` (a new array). */
  values(group: string): V[] {
    const g = this.groups.get(group);
    return g === undefined ? [] : g instanceof Map ? [...g.values()] : [g.value];
  }

  /** Whether any group holds a value. */
  any(): boolean {
    return this.groups.size > 0;
  }

  /** Groups holding a value. */
  keys(): IterableIterator<string> {
    return this.groups.keys();
  }

  clear(): void {
    this.groups.clear();
  }
}
