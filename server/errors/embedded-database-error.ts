import { HubError } from "./hub-error.ts";

export type EmbeddedDatabaseErrorCode =
  | "embedded_port_in_use"
  | "embedded_data_dir_unusable"
  | "embedded_data_dir_locked"
  | "embedded_start_failed"
  | "embedded_start_timeout";

/** The embedded (development) PostgreSQL could not start; `message` says why and what to do. */
export class EmbeddedDatabaseError extends HubError {
  constructor(code: EmbeddedDatabaseErrorCode, message: string, details?: unknown, cause?: unknown) {
    super(message, { code, status: 500, expose: false, details, cause });
  }
}
