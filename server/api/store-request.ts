import type { Enqueuer } from "../store/create-enqueuer.ts";
import type { AcceptRequest, NewMessage } from "../store/new-message.ts";
import { requestHash } from "./validation/request-hash.ts";

/**
 * Stores one producer request and answers with its message ids (request order). A request whose
 * idempotency key was used before gets the first request's ids and stores nothing. A store failure
 * rejects with the store's StoreUnavailableError (a 503: the producer retries, with the same key to be safe).
 */
export async function storeRequest(
  enqueuer: Enqueuer,
  r: { producer: string; scope: AcceptRequest["scope"]; key: string | null; messages: NewMessage[] },
): Promise<string[]> {
  const result = await enqueuer.enqueue({ ...r, hash: requestHash(r.messages) });
  return result.ids;
}
