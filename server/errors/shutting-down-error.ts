import { HubError } from "./hub-error.ts";

export class ShuttingDownError extends HubError {
  constructor() {
    super("This instance is shutting down; retry on another", {
      code: "shutting_down",
      status: 503,
      expose: true,
      headers: { "Retry-After": "1", Connection: "close" },
    });
  }
}
