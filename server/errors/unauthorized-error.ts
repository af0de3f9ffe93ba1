import { HubError } from "./hub-error.ts";

export class UnauthorizedError extends HubError {
  constructor(message = "A valid API key is required", details?: unknown) {
    super(message, { code: "unauthorized", status: 401, details });
  }
}
