import type { Db } from "../prisma.ts";

/** A batch leased for one POST attempt (push_hub_webhook_claim). */
export interface ClaimedBatch {
  /** The webhook-id header: the same on every attempt of this batch. */
  id: string;
  endpointId: string;
  type: string;
  items: unknown[];
  /** The body's `timestamp`: when the batch was made (kept on retries). */
  createdAt: Date;
  /** This attempt's number (1 = the first). */
  attempt: number;
  url: string;
  /** The current secret first, then the previous one while a rotation overlaps. */
  secrets: string[];
}

export type AttemptOutcome = "sent" | "retry" | "failed" | "disable";

export interface AttemptRecord {
  id: string;
  attempt: number;
  outcome: AttemptOutcome;
  status: number | null;
  error: string | null;
  durationMs: number;
  /** When 'retry': the next attempt's time. */
  nextAt: Date | null;
}

/** Writes events of one type into the outbox of every enabled endpoint that wants them (presence changes). */
export async function recordWebhookEvents(db: Db, type: string, items: unknown[]): Promise<void> {
  if (items.length === 0) return;
  await db.$queryRaw`SELECT push_hub_webhook_record(${type}, ${JSON.stringify(items)}::jsonb)`;
}

/** The event types some enabled endpoint wants. */
export async function wantedWebhookTypes(db: Db): Promise<Set<string>> {
  const rows = await db.$queryRaw<{ type: string }[]>`SELECT DISTINCT unnest(events) AS type FROM webhook_endpoints WHERE enabled`;
  return new Set(rows.map((r) => r.type));
}

/** Turns up to `rows` outbox rows into batches of at most `items`; returns how many rows it took. */
export async function batchWebhookEvents(db: Db, rows: number, items: number): Promise<number> {
  const made = await db.$queryRaw<{ item_count: number }[]>`SELECT item_count FROM push_hub_webhook_batch(${rows}::int, ${items}::int)`;
  return made.reduce((n, b) => n + b.item_count, 0);
}

export async function claimWebhookBatches(db: Db, o: { perEndpoint: number; endpoints: number; leaseMs: number }): Promise<ClaimedBatch[]> {
  const rows = await db.$queryRaw<
    { id: string; endpoint_id: string; type: string; items: unknown[]; created_at: Date; attempt: number; url: string; secret: string; previous_secret: string | null }[]
  >`SELECT * FROM push_hub_webhook_claim(${o.perEndpoint}::int, ${o.endpoints}::int, ${o.leaseMs}::int)`;
  return rows.map((r) => ({
    id: r.id,
    endpointId: r.endpoint_id,
    type: r.type,
    items: r.items,
    createdAt: r.created_at,
    attempt: r.attempt,
    url: r.url,
    secrets: r.previous_secret ? [r.secret, r.previous_secret] : [r.secret],
  }));
}

/** Records an attempt (fenced by its number); false when the batch's lease had passed to another attempt. */
export async function finishWebhookAttempt(db: Db, a: AttemptRecord): Promise<boolean> {
  const [row] = await db.$queryRaw<{ ok: boolean }[]>`
    SELECT push_hub_webhook_finish(${a.id}, ${a.attempt}::int, ${a.outcome}, ${a.status}::int, ${a.error}, ${a.durationMs}::int,
                                   ${a.nextAt}::timestamptz) AS ok`;
  return row?.ok === true;
}

export interface EndpointBacklog {
  endpointId: string;
  /** Events not yet in a batch plus items of batches not yet sent. */
  pending: number;
}

export async function webhookBacklog(db: Db): Promise<EndpointBacklog[]> {
  const rows = await db.$queryRaw<{ endpoint_id: string; events: bigint; batched: bigint }[]>`SELECT * FROM push_hub_webhook_pending()`;
  return rows.map((r) => ({ endpointId: r.endpoint_id, pending: Number(r.events) + Number(r.batched) }));
}

/** Drops sent and failed batches finished before `olderThanMs` ago, and attempts older than that. */
export async function pruneWebhookHistory(db: Db, olderThanMs: number): Promise<void> {
  const secs = olderThanMs / 1000;
  await db.$executeRaw`DELETE FROM webhook_batches WHERE state <> 'pending' AND finished_at < now() - make_interval(secs => ${secs}::float8)`;
  await db.$executeRaw`DELETE FROM webhook_attempts WHERE at < now() - make_interval(secs => ${secs}::float8)`;
}
