import { HubError } from "./hub-error.ts";

export class MessageTooLargeError extends HubError {
  constructor(message = "The message is too large", details?: unknown) {
    super(message, { code: "message_too_large", status: 413, details });
  }
}
