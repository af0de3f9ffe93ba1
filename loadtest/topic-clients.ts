/**
 * The coordinator's side of the online topic clients: forks the client workers, sums their ticks,
 * waits until everyone connected or until every client received a publish, and merges their finals.
 */
import type { ClientProtocol } from "./delivery-events.ts";
import type { ClientSpec } from "./ipc-messages.ts";
import { sleep } from "./support/wait-for.ts";
import { nowMs } from "./time-series.ts";
import type { FromTopicWorker, ToTopicWorker, TopicWorkerFinal, TopicWorkerProgress } from "./topic-ipc.ts";
import { forkWorker, type WorkerChannel } from "./worker-channel.ts";

type Channel = WorkerChannel<ToTopicWorker, FromTopicWorker>;

export interface TopicClients {
  readonly pids: number[];
  /** resolves when every worker has started all its connects and waited for them (or their timeout) */
  connect(): Promise<void>;
  /** connected, connect errors, disconnects and receipts of `publishId`, summed over workers */
  totals(publishId?: string): { connected: number; connectErrors: number; disconnects: number; received: number };
  /** waits until `count` clients are connected; false after `timeoutMs` */
  waitConnected(count: number, timeoutMs: number): Promise<boolean>;
  /** waits until `count` clients received `publishId`; the epoch ms it saw that, or null after `timeoutMs` */
  waitReceived(publishId: string, count: number, timeoutMs: number): Promise<number | null>;
  finish(): Promise<TopicWorkerFinal[]>;
  close(): Promise<void>;
}

export function createTopicClients(o: {
  specs: ClientSpec[];
  workers: number;
  topic: string;
  jwtSecret: string;
  connectRatePerSec: number;
  connectTimeoutMs: number;
  protocol: ClientProtocol;
}): TopicClients {
  const tickMs = 100;
  const progress = new Map<number, TopicWorkerProgress>();
  const channels: Channel[] = [];
  for (let w = 0; w < o.workers; w++) {
    const ch = forkWorker<ToTopicWorker, FromTopicWorker>(new URL("./topic-client-worker.ts", import.meta.url), `topic-client-worker-${w}`);
    const onProgress = (m: { progress: TopicWorkerProgress }) => progress.set(m.progress.workerIndex, m.progress);
    ch.on("tick", onProgress);
    ch.on("ready", onProgress);
    channels.push(ch);
  }

  const totals = (publishId?: string) => {
    let connected = 0, connectErrors = 0, disconnects = 0, received = 0;
    for (const p of progress.values()) {
      connected += p.connected;
      connectErrors += p.connectErrors;
      disconnects += p.disconnects;
      if (publishId !== undefined) received += p.receivedByPublish[publishId] ?? 0;
    }
    return { connected, connectErrors, disconnects, received };
  };

  const until = async (check: () => boolean, timeoutMs: number): Promise<number | null> => {
    const deadline = nowMs() + timeoutMs;
    for (;;) {
      if (check()) return nowMs();
      if (nowMs() >= deadline) return null;
      await sleep(20);
    }
  };

  return {
    pids: channels.map((c) => c.pid),
    async connect() {
      channels.forEach((ch, w) =>
        ch.send({
          type: "init",
          config: {
            workerIndex: w, clients: o.specs.filter((_, i) => i % o.workers === w), topic: o.topic, jwtSecret: o.jwtSecret,
            connectRatePerSec: Math.max(1, o.connectRatePerSec / o.workers), connectTimeoutMs: o.connectTimeoutMs, tickMs, protocol: o.protocol,
          },
        }),
      );
      const budget = o.connectTimeoutMs + (o.specs.length / o.connectRatePerSec) * 1000 + 30_000;
      await Promise.all(channels.map((c) => c.next("ready", budget)));
    },
    totals,
    waitConnected: async (count, timeoutMs) => (await until(() => totals().connected >= count, timeoutMs)) !== null,
    waitReceived: (publishId, count, timeoutMs) => until(() => totals(publishId).received >= count, timeoutMs),
    async finish() {
      for (const c of channels) c.send({ type: "finish" });
      return (await Promise.all(channels.map((c) => c.next("final", 30_000)))).map((m) => m.final);
    },
    async close() {
      await Promise.all(channels.map((c) => c.close()));
    },
  };
}
