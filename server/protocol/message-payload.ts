/** What the client receives (`message` event) for each delivery attempt; `id` is what it dedupes by. */
export interface MessagePayload {
  id: string;
  type: number;
  clientType: number;
  msg: unknown;
  createdAt: string;
  /** 1 on the first attempt; higher means a redelivery. */
  attempt: number;
}
