import { HubError } from "./hub-error.ts";

export class PresenceUnavailableError extends HubError {
  constructor(cause?: unknown) {
    super("Presence could not be determined right now; retry later", {
      code: "presence_unavailable",
      status: 503,
      expose: true,
      cause,
      headers: { "Retry-After": "1" },
    });
  }
}
