import type { Db } from "../prisma.ts";
import { failAsUnavailable } from "../store-unavailable-error.ts";

/** A webhook_endpoints row without its secrets (only creation and rotation hand a secret out). */
export interface WebhookEndpointRecord {
  id: string;
  url: string;
  events: string[];
  description: string | null;
  enabled: boolean;
  disabledReason: string | null;
  createdAt: Date;
}

export type NewWebhookEndpoint = Pick<WebhookEndpointRecord, "id" | "url" | "events" | "description"> & { secret: string };

/** A rotation's outcome: the old secret keeps signing beside the new one until previousUntil. */
export interface RotatedSecret {
  id: string;
  previousUntil: Date;
}

/** One POST attempt of one batch (webhook_attempts). */
export interface WebhookAttemptRecord {
  id: bigint;
  batchId: string;
  type: string;
  itemCount: number;
  attempt: number;
  at: Date;
  durationMs: number;
  statusCode: number | null;
  error: string | null;
  outcome: string;
}

/** How long a rotated-out secret keeps signing (docs/webhooks.md: receivers switch at their own pace). */
export const ROTATION_OVERLAP_SECONDS = 24 * 3600;

const columns = { id: true, url: true, events: true, description: true, enabled: true, disabledReason: true, createdAt: true } as const;

const attemptColumns = {
  id: true,
  batchId: true,
  type: true,
  itemCount: true,
  attempt: true,
  at: true,
  durationMs: true,
  statusCode: true,
  error: true,
  outcome: true,
} as const;

export function insertWebhookEndpoint(db: Db, endpoint: NewWebhookEndpoint): Promise<WebhookEndpointRecord> {
  return db.webhookEndpoint.create({ data: endpoint, select: columns }).catch(failAsUnavailable("could not store the webhook endpoint"));
}

/** Every endpoint, oldest first, disabled ones included. */
export function listWebhookEndpoints(db: Db): Promise<WebhookEndpointRecord[]> {
  return db.webhookEndpoint
    .findMany({ select: columns, orderBy: [{ createdAt: "asc" }, { id: "asc" }] })
    .catch(failAsUnavailable("could not list webhook endpoints"));
}

export function findWebhookEndpoint(db: Db, id: string): Promise<WebhookEndpointRecord | null> {
  return db.webhookEndpoint.findUnique({ where: { id }, select: columns }).catch(failAsUnavailable("could not read the webhook endpoint"));
}

/**
 * Deletes an endpoint with its outbox, batches and attempts, children first: the dispatcher locks those
 * rows before the endpoint's (batching takes outbox rows, then the endpoint's key for the batch it
 * inserts; recording an attempt takes the batch, then the endpoint), so a delete taking the endpoint
 * first — as the foreign keys' cascade would — could deadlock with either. Null when there is none.
 */
export async function deleteWebhookEndpoint(db: Db, id: string): Promise<WebhookEndpointRecord | null> {
  const [, , , rows] = await db
    .$transaction([
      db.$executeRaw`DELETE FROM webhook_outbox WHERE endpoint_id = ${id}::uuid`,
      db.$executeRaw`DELETE FROM webhook_batches WHERE endpoint_id = ${id}::uuid`,
      db.$executeRaw`DELETE FROM webhook_attempts WHERE endpoint_id = ${id}::uuid`,
      db.$queryRaw<WebhookEndpointRecord[]>`
        DELETE FROM webhook_endpoints WHERE id = ${id}::uuid
        RETURNING id::text, url, events, description, enabled, disabled_reason AS "disabledReason", created_at AS "createdAt"`,
    ])
    .catch(failAsUnavailable("could not delete the webhook endpoint"));
  return rows[0] ?? null;
}

export interface WebhookEndpointChange {
  url?: string;
  events?: string[];
  description?: string | null;
  enabled?: boolean;
}

/** Changes an endpoint; switching it off or on sets or clears its disabledReason. Null when there is none. */
export async function updateWebhookEndpoint(db: Db, id: string, change: WebhookEndpointChange): Promise<WebhookEndpointRecord | null> {
  const reason = change.enabled === undefined ? undefined : change.enabled ? null : "switched off by an admin";
  const data = { ...change, ...(reason === undefined ? {} : { disabledReason: reason }) };
  return db.webhookEndpoint
    .update({ where: { id }, data, select: columns })
    .catch((err: { code?: string }) => (err.code === "P2025" ? null : failAsUnavailable("could not change the webhook endpoint")(err)));
}

/**
 * Makes `secret` the endpoint's secret and its current one the previous, which signs beside it for
 * ROTATION_OVERLAP_SECONDS (a second rotation within that drops the first previous). One statement: of two
 * concurrent rotations the later one waits for the row and moves the earlier one's secret aside, so no
 * secret handed out is lost without its overlap. Null when there is no such endpoint.
 */
export async function rotateWebhookSecret(db: Db, id: string, secret: string): Promise<RotatedSecret | null> {
  const rows = await db.$queryRaw<RotatedSecret[]>`
    UPDATE webhook_endpoints
    SET previous_secret = secret, previous_until = now() + make_interval(secs => ${ROTATION_OVERLAP_SECONDS}::int), secret = ${secret}
    WHERE id = ${id}::uuid
    RETURNING id::text, previous_until AS "previousUntil"`.catch(failAsUnavailable("could not rotate the webhook secret"));
  return rows[0] ?? null;
}

/** The endpoint's last `limit` attempts, newest first; null when there is no such endpoint. */
export async function listWebhookAttempts(db: Db, endpointId: string, limit: number): Promise<WebhookAttemptRecord[] | null> {
  const endpoint = await db.webhookEndpoint
    .findUnique({ where: { id: endpointId }, select: { attempts: { select: attemptColumns, orderBy: { id: "desc" }, take: limit } } })
    .catch(failAsUnavailable("could not list webhook attempts"));
  return endpoint?.attempts ?? null;
}
