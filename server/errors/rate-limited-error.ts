import { HubError } from "./hub-error.ts";

export class RateLimitedError extends HubError {
  constructor(retryAfterSeconds: number) {
    const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
    super("Too many requests; retry later", {
      code: "rate_limited",
      status: 429,
      details: { retryAfterSeconds: seconds },
      headers: { "Retry-After": String(seconds) },
    });
  }
}
