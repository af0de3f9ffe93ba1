import type { MessageRecord, MessageStatusName } from "./message-record.ts";

interface MessageView {
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
  topic?: string;
  publishId?: string;
}

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

export function toMessageView(m: MessageRecord): MessageView {
  return {
    id: String(m.id),
    uid: m.uid,
    type: m.msgType,
    clientType: m.clientType,
    msg: m.msg,
    status: m.status,
    attempts: m.attempts,
    createdAt: m.createdAt.toISOString(),
    deliveredAt: iso(m.deliveredAt ?? (m.status === "read" ? m.readAt : null)),
    readAt: iso(m.readAt),
    expiresAt: iso(m.expiresAt),
    ...(m.topic !== null && m.publishId !== null ? { topic: m.topic, publishId: String(m.publishId) } : {}),
  };
}
