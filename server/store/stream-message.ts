/** A message read for delivery: one entry of a uid's window. */
export interface StreamMessage {
  id: bigint;
  /** Its position in the uid's stream (1, 2, 3 … in acceptance order). */
  seq: bigint;
  msgType: number;
  clientType: number;
  msg: unknown;
  createdAt: Date;
  bytes: number;
  /** A topic message's topic and publish (docs/api.md § Topic messages, docs/design.md §8); absent on direct messages. */
  topic?: string;
  publishId?: bigint;
}

/**
 * One message of a window as the SQL functions return it (one JSON array per uid, ids and seqs as text);
 * hand-overs between instances carry messages in the same shape.
 */
export interface WindowJsonEntry {
  id: string;
  seq: string;
  type: number;
  ct: number;
  msg: unknown;
  at: string;
  b: number;
  topic?: string;
  pid?: string;
}

/** The window column of a claim/advance row, decoded (null: no window). */
export function toStreamMessages(window: unknown): StreamMessage[] {
  const entries = (typeof window === "string" ? JSON.parse(window) : window) as WindowJsonEntry[] | null;
  if (!Array.isArray(entries)) return [];
  return entries.map((e): StreamMessage => {
    const m: StreamMessage = { id: BigInt(e.id), seq: BigInt(e.seq), msgType: e.type, clientType: e.ct, msg: e.msg, createdAt: new Date(e.at), bytes: e.b };
    if (e.topic !== undefined && e.pid !== undefined) Object.assign(m, { topic: e.topic, publishId: BigInt(e.pid) });
    return m;
  });
}
