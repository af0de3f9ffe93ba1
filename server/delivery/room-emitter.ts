import type { MessagePayload } from "../protocol/message-payload.ts";

/**
 * How one emit to a uid's room ended: a client acked; nobody of the uid was connected; sockets were
 * there but none acked in time; or it was not emitted at all (the adapter's Redis is away).
 */
export type EmitOutcome = "acked" | "offline" | "timeout" | "unsent";

/** Hands one payload to every socket of the uid (realtime/create-room-emitter.ts); never rejects. */
export type RoomEmitter = (uid: string, payload: MessagePayload) => Promise<EmitOutcome>;
