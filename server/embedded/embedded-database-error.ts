type EmbeddedDatabaseErrorCode =
  | "embedded_port_in_use"
  | "embedded_data_dir_unusable"
  | "embedded_data_dir_locked"
  | "embedded_start_failed"
  | "embedded_start_timeout";

/** The embedded (development) PostgreSQL could not start; `message` says why and what to do. */
export class EmbeddedDatabaseError extends Error {
  constructor(
    readonly code: EmbeddedDatabaseErrorCode,
    message: string,
    readonly details?: unknown,
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "EmbeddedDatabaseError";
  }
}
