/**
 * A store operation the edges asked for failed: the database could not be reached, rejected the
 * statement, or its outcome is unknown. Nothing the caller asked for can be assumed done; it may retry.
 */
export class StoreUnavailableError extends Error {
  constructor(message: string, cause: unknown) {
    super(message, { cause });
    this.name = "StoreUnavailableError";
  }
}

/** A rejection handler that reports any failure of a store operation as a StoreUnavailableError. */
export const failAsUnavailable =
  (message: string) =>
  (cause: unknown): never => {
    throw new StoreUnavailableError(message, cause);
  };
