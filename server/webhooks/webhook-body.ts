/** The body of one webhook POST: the batch's items under its type, timestamped when the batch was made (kept on retries). */
export function webhookBody(batch: { type: string; createdAt: Date; items: unknown[] }): string {
  return JSON.stringify({ type: batch.type, timestamp: batch.createdAt.toISOString(), data: { items: batch.items } });
}
