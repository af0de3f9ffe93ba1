import { HubError } from "./hub-error.ts";

/** The database could not be reached or did not answer: nothing was stored; the caller may retry. */
export class StoreUnavailableError extends HubError {
  constructor(cause?: unknown) {
    super("The message store is unavailable; nothing was stored, retry later", {
      code: "store_unavailable",
      status: 503,
      expose: true,
      cause,
      headers: { "Retry-After": "1" },
    });
  }
}
