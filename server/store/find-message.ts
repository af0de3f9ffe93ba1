import type { Message } from "../generated/prisma/client.ts";
import type { Db } from "./prisma.ts";

export async function findMessage(db: Db, id: bigint): Promise<Message | null> {
  return db.message.findUnique({ where: { id } });
}
