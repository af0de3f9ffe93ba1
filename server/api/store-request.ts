import { hubError } from "../errors/hub-error.ts";
import type { Enqueuer } from "../store/create-enqueuer.ts";
import type { AcceptRequest, NewMessage } from "../store/new-message.ts";
import { requestHash } from "./validation/request-hash.ts";

/**
 * Stores one producer request and answers with its message ids (request order). A request whose
 * idempotency key was used before gets the first request's ids and stores nothing. A store failure
 * becomes a 503: the producer retries (with the same key to be safe).
 */
export async function storeRequest(
  enqueuer: Enqueuer,
  r: { producer: string; scope: AcceptRequest["scope"]; key: string | null; messages: NewMessage[] },
): Promise<string[]> {
  try {
    const result = await enqueuer.enqueue({ ...r, hash: requestHash(r.messages) });
    return result.ids;
  } catch (error) {
    throw hubError("store_unavailable", undefined, { cause: error });
  }
}
