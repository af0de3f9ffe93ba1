import { HubError } from "./hub-error.ts";

export class InvalidJsonError extends HubError {
  constructor(message = "The request body is not valid JSON", details?: unknown) {
    super(message, { code: "invalid_json", status: 400, details });
  }
}
