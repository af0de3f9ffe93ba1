import { HubError } from "./hub-error.ts";

export class NotFoundError extends HubError {
  constructor(message = "Not found", details?: unknown) {
    super(message, { code: "not_found", status: 404, details });
  }
}
