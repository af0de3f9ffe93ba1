import { hubError } from "../errors/hub-error.ts";
import type { Enqueuer } from "../store/create-enqueuer.ts";
import type { AcceptRequest, NewMessage } from "../store/new-message.ts";
import { requestHash } from "./validation/request-hash.ts";

/**
 * Stores one producer request and answers with its message ids (request order). A request whose
 * idempotency key was used before for the same content gets the first request's ids and stores
 * nothing; for other content it is refused (409 idempotency_conflict): answering 202 would claim a
 * message was accepted whose content is never stored. A store failure
 * rejects with the store's StoreUnavailableError (a 503: the producer retries, with the same key to be safe).
 */
export async function storeRequest(
  enqueuer: Enqueuer,
  r: { producer: string; scope: AcceptRequest["scope"]; key: string | null; messages: NewMessage[] },
): Promise<string[]> {
  // The digest only matters where a key can be replayed.
  const result = await enqueuer.enqueue({ ...r, hash: r.key === null ? "" : requestHash(r.messages) });
  if (result.outcome === "conflict") {
    throw hubError("idempotency_conflict", undefined, { details: { idempotencyKey: r.key, firstIds: result.ids } });
  }
  return result.ids;
}
