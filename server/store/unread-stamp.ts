/**
 * A uid's unread count as the two counters it is made of: `total` messages it was ever given
 * (uid_heads.last_seq) and `cleared`, those no longer unread (uid_inbox.cleared). Both only grow, so a
 * reader that keeps the largest of each it has seen never goes back to an older count, whatever order
 * stamps from different paths arrive in.
 */
export interface UnreadStamp {
  total: number;
  cleared: number;
}

export const unreadCount = (s: UnreadStamp): number => Math.max(0, s.total - s.cleared);

/** The newer of two stamps, counter by counter. */
export function newerStamp(a: UnreadStamp | undefined, b: UnreadStamp | undefined): UnreadStamp | undefined {
  if (!a) return b;
  if (!b) return a;
  return { total: Math.max(a.total, b.total), cleared: Math.max(a.cleared, b.cleared) };
}
