/** A validated message on its way into the store. */
export interface NewMessage {
  uid: string;
  msg: unknown;
  type: number;
  clientType: number;
  expiresAt: Date | null;
  /** Fingerprint of the producer's API key. */
  producer: string;
  idempotencyKey: string | null;
}
