/** A message leased to this instance for one delivery attempt. */
export interface ClaimedMessage {
  id: bigint;
  toUid: string;
  msgType: number;
  clientType: number;
  msg: unknown;
  createdAt: Date;
  /** This attempt's number (1 = first delivery); with leaseUntil it fences later updates. */
  attempts: number;
  leaseUntil: Date;
}
