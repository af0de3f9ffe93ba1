/**
 * `prisma migrate deploy` failed at startup; `message` is the human explanation, `details.output` the
 * CLI's own words.
 */
export class MigrationError extends Error {
  readonly code = "migration_failed";
  constructor(
    message: string,
    readonly details?: { prismaCode?: string; output?: string },
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "MigrationError";
  }
}
