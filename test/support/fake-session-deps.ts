// A StreamSession with fake dependencies: an in-memory log for reads, records and ends kept in arrays,
// targets that record what they were sent, and a clock the test moves (timers stay real and short).
import { waitFor } from "../../loadtest/support/wait-for.ts";
import type { AckListener, DeliveryTarget, OutgoingMessage } from "../../server/delivery/delivery-target.ts";
import type { SessionDeps, SessionEnd } from "../../server/delivery/session-deps.ts";
import { StreamSession } from "../../server/delivery/stream-session.ts";
import type { EndRequest, EndResult } from "../../server/store/end-holdings.ts";
import type { HolderGrant } from "../../server/store/holder-grant.ts";
import type { ReadFrom, WindowRead } from "../../server/store/read-windows.ts";
import type { Position } from "../../server/store/record-positions.ts";
import type { StreamMessage } from "../../server/store/stream-message.ts";
import type { UnreadStamp } from "../../server/store/unread-stamp.ts";

/** Message `seq` of the uid, with id seq·10. */
export const msg = (seq: number, bytes = 10): StreamMessage => ({
  id: BigInt(seq * 10),
  seq: BigInt(seq),
  msgType: 4,
  clientType: 0,
  msg: { seq },
  createdAt: new Date(0),
  bytes,
});
export const msgs = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => msg(from + i));

interface SentBatch {
  seqs: number[];
  attempts: number[];
  unread: UnreadStamp | undefined;
  onAck: AckListener;
}

/** A socket (or, with `instance`, another instance relaying to its sockets) that keeps what it was sent. */
export class FakeTarget implements DeliveryTarget {
  readonly batches: SentBatch[] = [];
  forgotten = 0;
  constructor(
    readonly key: string,
    readonly instance?: string,
  ) {}

  send(batch: OutgoingMessage[], unread: UnreadStamp | undefined, onAck: AckListener): void {
    this.batches.push({ seqs: batch.map((m) => Number(m.seq)), attempts: batch.map((m) => m.payload.attempt), unread, onAck });
  }

  forget(): void {
    this.forgotten++;
  }

  /** Every seq sent to it, in order. */
  get seqs(): number[] {
    return this.batches.flatMap((b) => b.seqs);
  }

  /** Acks `from..to` through the listener of the batch that carried `to`. */
  ack(from: number, to: number): void {
    const batch = this.batches.findLast((b) => b.seqs.includes(to));
    if (!batch) throw new Error(`${this.key} was never sent ${to}`);
    batch.onAck(BigInt(from), BigInt(to));
  }

  /** Acks every batch it was sent. */
  ackAll(): void {
    for (const b of [...this.batches]) if (b.seqs.length > 0) b.onAck(BigInt(b.seqs[0]!), BigInt(b.seqs[b.seqs.length - 1]!));
  }
}

export interface Harness {
  session: StreamSession;
  clock: { t: number };
  /** The uid's messages in the store (reads answer from here). */
  log: StreamMessage[];
  reads: ReadFrom[];
  records: Position[];
  ends: EndRequest[];
  /** What onEnd was told, in order. */
  endings: { result: SessionEnd; request?: EndRequest }[];
  /** Instances locate() names. */
  located: string[];
  cancelled: Set<bigint>;
  /** Seqs of `log` that reads pass over (expired). */
  expired: Set<number>;
  alive: { value: boolean };
  timeouts: number;
  skipped: number;
  /** Answers an end (the store's part); undefined: the store did not answer. */
  answerEnd: (r: EndRequest) => Promise<EndResult | undefined>;
  /** Resolves once the session ended (onEnd called). */
  ended(): Promise<{ result: SessionEnd; request?: EndRequest }>;
}

const storeAnswer = (h: Harness, r: EndRequest): EndResult => {
  const lastSeq = BigInt(h.log.length);
  switch (r.end) {
    case "release":
      return { state: r.ackedSeq >= lastSeq ? "idle" : "parked", lease: r.lease, lastSeq };
    case "backoff":
      return { state: "backoff", lease: r.lease, lastSeq };
    case "handback":
      return { state: "handed_back", lease: r.lease, lastSeq };
    case "transfer":
      return { state: "transferred", lease: r.lease + 1n, lastSeq };
  }
};

/** Reads answer from `log`: the window after the position, or a skip to the head when nothing is left. */
const readLog = (h: Harness, window: number, from: ReadFrom): WindowRead => {
  const lastSeq = BigInt(h.log.length);
  const messages = h.log.filter((m) => m.seq > from.afterSeq && !h.expired.has(Number(m.seq))).slice(0, window);
  const unread = { total: h.log.length, cleared: 0 };
  if (messages.length > 0) return { lastSeq, messages, skipTo: null, skipId: null, unread };
  const newest = h.log.filter((m) => m.id > from.afterId).at(-1);
  return { lastSeq, messages, skipTo: lastSeq, skipId: newest?.id ?? null, unread };
};

export function sessionHarness(o: { log?: StreamMessage[]; grant?: Partial<HolderGrant>; deps?: Partial<SessionDeps> } = {}): Harness {
  const h = {
    clock: { t: 1_000 },
    log: o.log ?? [],
    reads: [],
    records: [],
    ends: [],
    endings: [],
    located: [],
    cancelled: new Set<bigint>(),
    expired: new Set<number>(),
    alive: { value: true },
    timeouts: 0,
    skipped: 0,
  } as unknown as Harness;
  h.answerEnd = async (r) => storeAnswer(h, r);
  const window = o.deps?.window ?? 4;
  const deps: SessionDeps = {
    window,
    windowBytes: 1 << 20,
    batchMax: 100,
    ackTimeoutMs: 60_000,
    recordMs: 60_000,
    offlineGraceMs: 60_000,
    canSend: () => h.alive.value,
    isCancelled: (id) => h.cancelled.has(id),
    read: async (from) => (h.reads.push(from), readLog(h, window, from)),
    record: async (p) => void h.records.push(p),
    end: (r) => (h.ends.push(r), h.answerEnd(r)),
    locate: async () => h.located,
    backoffMs: (failures) => 1000 * failures,
    onFirstSend: () => undefined,
    onAcked: () => undefined,
    onTimeout: () => void h.timeouts++,
    onSkipped: (n) => void (h.skipped += n),
    onHeld: () => undefined,
    onEnd: (_s, result, request) => void h.endings.push({ result, request }),
    now: () => h.clock.t,
    ...o.deps,
  };
  const lastSeq = BigInt(h.log.length);
  h.session = new StreamSession(
    {
      uid: "u",
      lease: 7n,
      wakeSeq: 3n,
      attempts: 0,
      failures: 0,
      retryUpto: 0n,
      ackedSeq: 0n,
      ackedId: 0n,
      lastSeq,
      unread: { total: Number(lastSeq), cleared: 0 },
      messages: [],
      ...o.grant,
    },
    deps,
  );
  h.ended = () => waitFor(() => h.endings[0], "the holding to end", 5000, 5);
  return h;
}

/** Lets promise callbacks and immediate timers run. */
export const settle = () => new Promise<void>((r) => setTimeout(r, 0));
