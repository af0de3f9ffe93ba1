import { HubError } from "./hub-error.ts";

export class MethodNotAllowedError extends HubError {
  constructor(readonly allowed: string[]) {
    super(`Method not allowed; use ${allowed.join(", ")}`, {
      code: "method_not_allowed",
      status: 405,
      details: { allowed },
      headers: { Allow: allowed.join(", ") },
    });
  }
}
