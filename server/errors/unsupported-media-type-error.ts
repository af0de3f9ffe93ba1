import { HubError } from "./hub-error.ts";

export class UnsupportedMediaTypeError extends HubError {
  constructor(message = "The body must be application/json", details?: unknown) {
    super(message, { code: "unsupported_media_type", status: 415, details });
  }
}
