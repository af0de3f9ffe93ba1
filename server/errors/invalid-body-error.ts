import { HubError } from "./hub-error.ts";

export class InvalidBodyError extends HubError {
  constructor(message = "The request body is invalid", details?: unknown) {
    super(message, { code: "invalid_body", status: 400, details });
  }
}
