import { HubClientError } from "./hub-client-error.ts";
import { isMessageId } from "./message-ids.ts";
import type { SyncRequest } from "./protocol.ts";

/** The hub's bounds: `sync` pages of at most 500, `read` of at most 1000 ids. */
export const MAX_PAGE_SIZE = 500;
export const MAX_READ_IDS = 1000;

const invalid = (message: string) => new HubClientError("invalid_argument", message);

/** `id` as a message id, or an `invalid_argument` error naming `what`. */
export function checkId(id: unknown, what: string): string {
  if (!isMessageId(id)) throw invalid(`${what} must be a message id (a decimal string), got ${JSON.stringify(id)}`);
  return id;
}

/** A page size: an integer 1–500. */
export function checkPageSize(limit: unknown, what = "limit"): number {
  if (!Number.isInteger(limit) || (limit as number) < 1 || (limit as number) > MAX_PAGE_SIZE) {
    throw invalid(`${what} must be an integer from 1 to ${MAX_PAGE_SIZE}, got ${JSON.stringify(limit)}`);
  }
  return limit as number;
}

/**
 * The `sync` request for these options; undefined/null fields are left out (the hub's defaults). Since
 * "0" (before every id the hub issues: its ids start at 1) is left out too: the hub refuses it as an id,
 * and "after 0" is "from the first", which is what no `since` asks for.
 */
export function syncRequest(options: { since?: string | null; limit?: number } = {}): SyncRequest {
  const request: SyncRequest = {};
  if (options.since !== undefined && options.since !== null && checkId(options.since, "since") !== "0") request.since = options.since;
  if (options.limit !== undefined) request.limit = checkPageSize(options.limit);
  return request;
}

/**
 * `ids` without repeats, in `read` requests of at most 1000 ids each (none for an empty list).
 */
export function readBatches(ids: readonly string[]): string[][] {
  if (!Array.isArray(ids)) throw invalid("ids must be an array of message ids");
  ids.forEach((id, i) => checkId(id, `ids[${i}]`));
  const unique = [...new Set(ids)];
  const batches: string[][] = [];
  for (let i = 0; i < unique.length; i += MAX_READ_IDS) batches.push(unique.slice(i, i + MAX_READ_IDS));
  return batches;
}
