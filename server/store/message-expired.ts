import { Prisma } from "../generated/prisma/client.ts";

/**
 * Message `m` is past its expiry now (never for a message without one). The SQL functions of
 * prisma/migrations state the same rule as `m.expires_at IS NULL OR m.expires_at > now()` (not expired).
 */
export const MESSAGE_EXPIRED = Prisma.sql`COALESCE(m.expires_at <= now(), false)`;
