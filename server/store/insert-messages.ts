import type { Db } from "./prisma.ts";
import type { NewMessage } from "./new-message.ts";

interface Inserted {
  id: bigint;
  producer: string;
  idempotencyKey: string | null;
}

const keyOf = (producer: string, key: string) => `${producer}\u0000${key}`;

/**
 * Inserts messages in the given order (ids ascend with it) in one statement and returns their ids in
 * the same order. A message whose (producer, idempotency key) exists already gets the existing id and
 * stores nothing; so does a repeat of a key earlier in the same call.
 */
export async function insertMessages(db: Db, messages: NewMessage[]): Promise<string[]> {
  if (messages.length === 0) return [];
  const firstOfKey = new Map<string, number>();
  const toInsert: NewMessage[] = [];
  messages.forEach((m, i) => {
    if (m.idempotencyKey === null) return void toInsert.push(m);
    const k = keyOf(m.producer, m.idempotencyKey);
    if (!firstOfKey.has(k)) {
      firstOfKey.set(k, i);
      toInsert.push(m);
    }
  });

  const inserted = await db.$queryRaw<Inserted[]>`
    INSERT INTO messages (to_uid, msg_type, client_type, msg_extend, expires_at, producer, idempotency_key)
    SELECT uid, type, client_type, body::jsonb, expires_at, producer, idem
    FROM unnest(
      ${toInsert.map((m) => m.uid)}::text[],
      ${toInsert.map((m) => m.type)}::int[],
      ${toInsert.map((m) => m.clientType)}::int[],
      ${toInsert.map((m) => JSON.stringify(m.msg))}::text[],
      ${toInsert.map((m) => m.expiresAt?.toISOString() ?? null)}::timestamptz[],
      ${toInsert.map((m) => m.producer)}::text[],
      ${toInsert.map((m) => m.idempotencyKey)}::text[]
    ) WITH ORDINALITY AS t(uid, type, client_type, body, expires_at, producer, idem, ord)
    ORDER BY ord
    ON CONFLICT (producer, idempotency_key) DO NOTHING
    RETURNING noce_ack AS id, producer, idempotency_key AS "idempotencyKey"`;

  // Rows come back in no promised order: ids ascend in insertion order, and keyed rows name themselves.
  const byKey = new Map<string, string>();
  for (const r of inserted) if (r.idempotencyKey !== null) byKey.set(keyOf(r.producer, r.idempotencyKey), String(r.id));
  const ascending = inserted.map((r) => r.id).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const insertedInOrder = toInsert.filter((m) => m.idempotencyKey === null || byKey.has(keyOf(m.producer, m.idempotencyKey)));
  const idOfInserted = new Map<NewMessage, string>();
  insertedInOrder.forEach((m, i) => idOfInserted.set(m, String(ascending[i])));

  const missing = messages.filter(
    (m) => m.idempotencyKey !== null && !byKey.has(keyOf(m.producer, m.idempotencyKey)),
  );
  if (missing.length > 0) {
    const existing = await db.message.findMany({
      where: { OR: missing.map((m) => ({ producer: m.producer, idempotencyKey: m.idempotencyKey })) },
      select: { id: true, producer: true, idempotencyKey: true },
    });
    for (const e of existing) byKey.set(keyOf(e.producer, e.idempotencyKey ?? ""), String(e.id));
  }

  return messages.map((m) => {
    if (m.idempotencyKey !== null) {
      const id = byKey.get(keyOf(m.producer, m.idempotencyKey));
      if (id === undefined) throw new Error("idempotent message vanished between insert and lookup");
      return id;
    }
    return idOfInserted.get(m) as string;
  });
}
