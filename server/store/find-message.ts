import { Prisma } from "../generated/prisma/client.ts";
import { MESSAGE_RECORD_SQL, type MessageRecord } from "./message-record.ts";
import type { Db } from "./prisma.ts";
import { failAsUnavailable } from "./store-unavailable-error.ts";

/** The message with this id, or null; rejects with a StoreUnavailableError when the database fails. */
export async function findMessage(db: Db, id: bigint): Promise<MessageRecord | null> {
  const rows = await db
    .$queryRaw<MessageRecord[]>(Prisma.sql`${MESSAGE_RECORD_SQL} WHERE m.noce_ack = ${id}::bigint`)
    .catch(failAsUnavailable("could not read the message"));
  return rows[0] ?? null;
}
