import { HubError } from "./hub-error.ts";

export class BodyTooLargeError extends HubError {
  constructor(message = "The request body is too large", details?: unknown) {
    super(message, { code: "body_too_large", status: 413, details });
  }
}
