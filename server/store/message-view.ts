import type { Message } from "../generated/prisma/client.ts";

export type MessageStatusName = "queued" | "delivered" | "read" | "expired";

export interface MessageView {
  id: string;
  uid: string;
  type: number;
  clientType: number;
  msg: unknown;
  status: MessageStatusName;
  attempts: number;
  createdAt: string;
  deliveredAt: string | null;
  readAt: string | null;
  expiresAt: string | null;
}

/** A queued message past its expiry is expired even before the sweeper has marked it. */
export function effectiveStatus(m: Pick<Message, "status" | "expiresAt">, now = new Date()): MessageStatusName {
  if (m.status === "queued" && m.expiresAt !== null && m.expiresAt <= now) return "expired";
  return m.status;
}

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

export function toMessageView(m: Message, now = new Date()): MessageView {
  return {
    id: String(m.id),
    uid: m.toUid,
    type: m.msgType,
    clientType: m.clientType,
    msg: m.msgExtend,
    status: effectiveStatus(m, now),
    attempts: m.attempts,
    createdAt: m.createTime.toISOString(),
    deliveredAt: iso(m.deliveredAt),
    readAt: iso(m.readAt),
    expiresAt: iso(m.expiresAt),
  };
}
