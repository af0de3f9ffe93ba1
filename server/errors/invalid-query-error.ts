import { HubError } from "./hub-error.ts";

export class InvalidQueryError extends HubError {
  constructor(message = "The query string is invalid", details?: unknown) {
    super(message, { code: "invalid_query", status: 400, details });
  }
}
