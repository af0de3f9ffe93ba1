import { acceptStatement, type AcceptRow } from "./accept-statement.ts";
import type { AcceptOutcome, AcceptRequest } from "./new-message.ts";
import type { Db } from "./prisma.ts";

const keyOf = (r: { producer: string; scope: string; key: string | null }) => `${r.producer}\u0001${r.scope}\u0001${r.key}`;

/**
 * A group commit with idempotency keys, in one transaction: each keyed request first claims its key
 * (`ON CONFLICT DO NOTHING` waits for a concurrent claim of the same key to end, and the statements after
 * it see that claim's outcome: READ COMMITTED gives each statement a fresh snapshot); requests whose key
 * existed (or came earlier in this commit) store nothing and are answered with the key's first ids
 * (`replayed`), or refused when their content differs (`conflict`). Then the messages of the others
 * (acceptStatement), then each new key records its ids, and the token its answer.
 * Writes: idempotency_keys, and what acceptStatement writes. Locks: the keys, then the heads.
 */
export async function acceptKeyed(db: Db, token: string, requests: AcceptRequest[]): Promise<AcceptRow> {
  return db.$transaction(async (tx) => {
    const keyed = requests.filter((r) => r.key !== null);
    const claimed = await tx.$queryRaw<{ producer: string; scope: string; key: string }[]>`
      INSERT INTO idempotency_keys (producer, scope, key, request_hash)
      SELECT * FROM unnest(${keyed.map((r) => r.producer)}::text[], ${keyed.map((r) => r.scope)}::text[],
                           ${keyed.map((r) => r.key)}::text[], ${keyed.map((r) => r.hash)}::text[])
      ORDER BY 1, 2, 3
      ON CONFLICT DO NOTHING
      RETURNING producer, scope, key`;
    const claimedKeys = new Set(claimed.map(keyOf));
    const seen = new Set<string>();
    const fresh = requests.map((r) => {
      if (r.key === null) return true;
      const k = keyOf(r);
      if (seen.has(k)) return false;
      seen.add(k);
      return claimedKeys.has(k);
    });

    const [row] = await tx.$queryRaw<AcceptRow[]>(acceptStatement(token, requests, fresh));
    if (!row) throw new Error("the accept statement returned no row");

    // Each stored request's ids (stored ones come in request order), the others' from their keys.
    const storedIds = (row.ids ?? []).map(String);
    const existing = await tx.$queryRaw<{ producer: string; scope: string; key: string; request_hash: string; message_ids: (bigint | string)[] | null }[]>`
      SELECT producer, scope, key, request_hash, message_ids FROM idempotency_keys
      WHERE (producer, scope, key) IN (SELECT * FROM unnest(${requests.filter((_, i) => !fresh[i]).map((r) => r.producer)}::text[],
        ${requests.filter((_, i) => !fresh[i]).map((r) => r.scope)}::text[], ${requests.filter((_, i) => !fresh[i]).map((r) => r.key)}::text[]))`;
    const byKey = new Map(existing.map((k) => [keyOf(k), k]));
    let at = 0;
    const answers = requests.map((r, i): { outcome: AcceptOutcome; ids: string[] } => {
      if (fresh[i]) {
        const ids = storedIds.slice(at, at + r.messages.length);
        at += r.messages.length;
        return { outcome: "stored", ids };
      }
      const first = byKey.get(keyOf(r));
      const ids = (first?.message_ids ?? []).map(String);
      return { outcome: first?.request_hash === r.hash ? "replayed" : "conflict", ids };
    });

    const recorded = requests.map((r, i) => ({ r, a: answers[i]! })).filter((x, i) => fresh[i] && x.r.key !== null);
    if (recorded.length > 0) {
      await tx.$executeRaw`
        UPDATE idempotency_keys k SET message_ids = x.ids
        FROM (
          SELECT r.producer, r.scope, r.key, array_agg(f.id ORDER BY f.id) AS ids
          FROM unnest(${recorded.map((x) => x.r.producer)}::text[], ${recorded.map((x) => x.r.scope)}::text[],
                      ${recorded.map((x) => x.r.key)}::text[]) WITH ORDINALITY AS r(producer, scope, key, ord)
          JOIN unnest(${recorded.flatMap((x) => x.a.ids)}::bigint[], ${recorded.flatMap((x, n) => x.a.ids.map(() => n + 1))}::int[])
            AS f(id, ord) ON f.ord = r.ord
          GROUP BY r.producer, r.scope, r.key
        ) x
        WHERE (k.producer, k.scope, k.key) = (x.producer, x.scope, x.key)`;
    }
    const outcomes = answers.map((a) => a.outcome);
    const counts = answers.map((a) => a.ids.length);
    const ids = answers.flatMap((a) => a.ids);
    await tx.$executeRaw`
      UPDATE accept_batches SET outcomes = ${outcomes}::text[], ids = ${ids}::bigint[], counts = ${counts}::int[]
      WHERE token = ${token}::uuid`;
    return { ...row, outcomes, ids, counts };
  });
}
