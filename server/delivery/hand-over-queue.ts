import type { HeldAppend } from "../store/accept-requests.ts";

/**
 * Hands the messages of each group commit to their holders, commit after commit in commit order, on the
 * turn after the commit's requests were answered: a large commit's sends must not hold its 202s back.
 */
export function createHandOverQueue(handOver: (h: HeldAppend) => void) {
  const commits: HeldAppend[][] = [];
  const run = (): void => {
    for (let commit = commits.shift(); commit; commit = commits.shift()) for (const h of commit) handOver(h);
  };
  return {
    push(commit: HeldAppend[]): void {
      if (commits.push(commit) === 1) setImmediate(run);
    },
  };
}
