import { HubError } from "./hub-error.ts";

/** `prisma migrate deploy` failed; `message` is the human explanation, `details.output` the CLI's own words. */
export class MigrationError extends HubError {
  constructor(message: string, details?: { prismaCode?: string; output?: string }, cause?: unknown) {
    super(message, { code: "migration_failed", status: 500, expose: false, details, cause });
  }
}
