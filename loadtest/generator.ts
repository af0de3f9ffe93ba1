/**
 * Runs one load scenario against already-running targets: forks client workers and producers,
 * connects clients, publishes for the duration, connects the late (backlog) clients, waits out the
 * grace period (or until nothing is outstanding), and returns the raw tallies of every process.
 */
import type { ClientProtocol } from "./delivery-events.ts";
import type { ClientFinal, ClientProgress, ClientSpec, FromClientWorker, FromProducer, ProducerFinal, ProducerProgress, ToClientWorker, ToProducer } from "./ipc-messages.ts";
import { sleep } from "./support/wait-for.ts";
import { createMetricsScraper, type InstanceMetrics, type MetricsTarget } from "./metrics-scraper.ts";
import { createProcessSampler, type ProcessSamples, type SampledProcess } from "./process-sampler.ts";
import { createBitmap, decodeBitmap, encodeBitmap, orInto } from "./seq-bitmap.ts";
import { createHistogram, mergeHistogram, percentile } from "./stats.ts";
import { nowMs } from "./time-series.ts";
import { forkWorker, type WorkerChannel } from "./worker-channel.ts";

export interface GeneratorOptions {
  label: string;
  runId: string;
  clientUrls: string[];
  producerUrls: string[];
  /** distinct source addresses 127.0.N.1 (N = 1…) for client sockets; 0 = let the OS pick */
  sourceAddresses: number;
  clients: number;
  latePercent: number;
  rate: number;
  durationSec: number;
  batchSize: number;
  graceSec: number;
  /** messages published in the first this many seconds are left out of the latency figures */
  warmupSec: number;
  connectRatePerSec: number;
  connectTimeoutMs: number;
  workers: number;
  producers: number;
  maxInFlight: number;
  connectionsPerTarget: number;
  msgBytes: number;
  clientProtocol: ClientProtocol;
  apiKey: string;
  jwtSecret: string;
  servers: SampledProcess[];
  /** instances whose /metrics to scrape (optional extra data) */
  metricsTargets: MetricsTarget[];
  /** called as publishing starts and as the grace period ends: the window costs are measured over */
  window?: MeasurementWindow;
  onProgress?: (p: ProgressSnapshot) => void;
}

export interface MeasurementWindow {
  start(): Promise<void>;
  end(): Promise<void>;
}

export interface ProgressSnapshot {
  label: string;
  phase: "connect" | "publish" | "late-connect" | "grace" | "finish";
  elapsedSec: number;
  clients: number;
  connected: number;
  connectErrors: number;
  disconnects: number;
  sent: number;
  accepted: number;
  failed: number;
  received: number;
  duplicates: number;
  outstanding: number;
  recentP50Ms: number;
  recentP99Ms: number;
  servers: Array<{ label: string; cpuPct: number; rssMB: number }>;
}

export interface Phases {
  connectStart: number;
  publishStart: number;
  publishEnd: number;
  graceStart: number;
  end: number;
}

export interface RawRun {
  label: string;
  t0: number;
  options: Omit<GeneratorOptions, "onProgress" | "jwtSecret" | "apiKey" | "servers" | "metricsTargets" | "window">;
  /** seconds since t0 */
  phases: Phases;
  clientFinals: ClientFinal[];
  producerFinals: ProducerFinal[];
  acceptedTotal: number;
  processes: ProcessSamples[];
  generatorProcesses: ProcessSamples[];
  serverMetrics: InstanceMetrics[];
  maxSeq: number;
}

type ClientChannel = WorkerChannel<ToClientWorker, FromClientWorker>;
type ProducerChannel = WorkerChannel<ToProducer, FromProducer>;

export function buildClientSpecs(o: Pick<GeneratorOptions, "runId" | "clients" | "clientUrls" | "sourceAddresses" | "latePercent">): ClientSpec[] {
  return Array.from({ length: o.clients }, (_, i) => ({
    uid: `lt-${o.runId}-${i}`,
    uidIndex: i,
    url: o.clientUrls[i % o.clientUrls.length] as string,
    ...(o.sourceAddresses > 0 ? { localAddress: `127.0.${(i % o.sourceAddresses) + 1}.1` } : {}),
    // spreads exactly floor(N·P/100) late clients evenly over the index range
    late: Math.floor(((i + 1) * o.latePercent) / 100) > Math.floor((i * o.latePercent) / 100),
  }));
}

export async function runGenerator(o: GeneratorOptions): Promise<RawRun> {
  const t0 = nowMs();
  const sec = (at: number) => Math.round(((at - t0) / 1000) * 1000) / 1000;
  const tickMs = 500;
  const specs = buildClientSpecs(o);
  const workerCount = Math.max(1, Math.min(o.workers, o.clients));
  const maxSeq = Math.ceil(o.rate * o.durationSec) + o.producers * o.batchSize + 16;
  const clientProgress = new Map<number, ClientProgress>();
  const producerProgress = new Map<number, ProducerProgress>();
  let recent = createHistogram();
  let phase: ProgressSnapshot["phase"] = "connect";

  const clients: ClientChannel[] = [];
  const producers: ProducerChannel[] = [];
  const all = () => [...clients, ...producers];
  const hardStop = setTimeout(
    () => void Promise.all(all().map((w) => w.close(0))),
    o.connectTimeoutMs * 2 + ((2 * o.clients) / o.connectRatePerSec + o.durationSec + o.graceSec) * 1000 + 120_000,
  );
  const sampler = createProcessSampler({ processes: o.servers, t0 });
  sampler.start();
  const scraper = createMetricsScraper({ targets: o.metricsTargets, t0 });
  scraper.start();
  let generatorSampler: ReturnType<typeof createProcessSampler> | undefined;
  let progressTimer: NodeJS.Timeout | undefined;

  try {
    for (let w = 0; w < workerCount; w++) {
      const ch = forkWorker<ToClientWorker, FromClientWorker>(new URL("./client-worker.ts", import.meta.url), `client-worker-${w}`);
      const onProgress = (m: { progress: ClientProgress }) => {
        clientProgress.set(m.progress.workerIndex, m.progress);
        mergeHistogram(recent, m.progress.recent);
      };
      ch.on("tick", onProgress);
      clients.push(ch);
      ch.send({
        type: "init",
        config: {
          workerIndex: w, clients: specs.filter((_, i) => i % workerCount === w), uidCount: o.clients, jwtSecret: o.jwtSecret,
          t0, connectRatePerSec: Math.max(1, o.connectRatePerSec / workerCount), connectTimeoutMs: o.connectTimeoutMs, maxSeq, tickMs,
          protocol: o.clientProtocol,
        },
      });
    }
    for (let p = 0; p < o.producers; p++) {
      const ch = forkWorker<ToProducer, FromProducer>(new URL("./producer-worker.ts", import.meta.url), `producer-${p}`);
      ch.on("tick", (m) => producerProgress.set(m.progress.producerIndex, m.progress));
      producers.push(ch);
      ch.send({
        type: "init",
        config: {
          producerIndex: p, producerCount: o.producers, targets: o.producerUrls,
          localAddresses: Array.from({ length: Math.min(8, o.sourceAddresses) }, (_, i) => `127.0.${((p * 8 + i) % o.sourceAddresses) + 1}.1`),
          apiKey: o.apiKey, uids: specs.map((s) => s.uid),
          rate: o.rate / o.producers, durationSec: o.durationSec, batchSize: o.batchSize, maxInFlight: o.maxInFlight,
          connectionsPerTarget: o.connectionsPerTarget, msgBytes: o.msgBytes, maxSeq, t0, tickMs,
        },
      });
    }
    generatorSampler = createProcessSampler({
      processes: [{ label: "coordinator", pid: process.pid }, ...clients.map((c, i) => ({ label: `client-worker-${i}`, pid: c.pid })), ...producers.map((c, i) => ({ label: `producer-${i}`, pid: c.pid }))],
      t0,
    });
    generatorSampler.start();

    progressTimer = setInterval(() => {
      if (!o.onProgress) return;
      const cp = [...clientProgress.values()];
      const pp = [...producerProgress.values()];
      const sum = <T>(xs: T[], f: (x: T) => number) => xs.reduce((a, x) => a + f(x), 0);
      o.onProgress({
        label: o.label, phase, elapsedSec: sec(nowMs()), clients: o.clients,
        connected: sum(cp, (x) => x.connected), connectErrors: sum(cp, (x) => x.connectErrors), disconnects: sum(cp, (x) => x.disconnects),
        sent: sum(pp, (x) => x.sent), accepted: sum(pp, (x) => x.accepted), failed: sum(pp, (x) => x.rejected + x.errors),
        received: sum(cp, (x) => x.received), duplicates: sum(cp, (x) => x.duplicates),
        outstanding: cp.some((x) => x.outstanding < 0) || cp.length === 0 ? -1 : sum(cp, (x) => x.outstanding),
        recentP50Ms: percentile(recent, 50) / 1000, recentP99Ms: percentile(recent, 99) / 1000,
        servers: sampler.latest().map((s) => ({ label: s.label, cpuPct: s.sample?.cpuPct ?? 0, rssMB: s.sample?.rssMB ?? 0 })),
      });
      recent = createHistogram();
    }, 1000);

    const connectStart = sec(nowMs());
    const connectBudget = o.connectTimeoutMs + (o.clients / o.connectRatePerSec) * 1000 + 10_000;
    await Promise.all([...clients.map((c) => c.next("ready", connectBudget)), ...producers.map((p) => p.next("ready", 30_000))]);

    await o.window?.start();
    phase = "publish";
    const publishStart = sec(nowMs());
    if (o.warmupSec > 0) for (const c of clients) c.send({ type: "measure-from", at: nowMs() + o.warmupSec * 1000 });
    for (const p of producers) p.send({ type: "start" });
    const producerFinals = (await Promise.all(producers.map((p) => p.next("done", (o.durationSec + 60) * 1000)))).map((m) => m.final);
    const publishEnd = sec(nowMs());

    const accepted = createBitmap(maxSeq);
    for (const f of producerFinals) orInto(accepted, decodeBitmap(f.acceptedBitmap, maxSeq));
    const acceptedEncoded = encodeBitmap(accepted);
    for (const c of clients) c.send({ type: "accepted", bitmap: acceptedEncoded });
    if (specs.some((s) => s.late)) {
      phase = "late-connect";
      for (const c of clients) c.send({ type: "connect-late" });
      await Promise.all(clients.map((c) => c.next("late-connected", connectBudget)));
    }

    phase = "grace";
    const graceStart = sec(nowMs());
    const graceEnd = nowMs() + o.graceSec * 1000;
    while (nowMs() < graceEnd) {
      const cp = [...clientProgress.values()];
      if (cp.length === clients.length && cp.every((x) => x.outstanding === 0)) break;
      await sleep(100);
    }

    await o.window?.end();
    phase = "finish";
    for (const c of clients) c.send({ type: "finish" });
    const clientFinals = (await Promise.all(clients.map((c) => c.next("final", 30_000)))).map((m) => m.final);
    const end = sec(nowMs());
    clearInterval(progressTimer);
    const processes = sampler.stop();
    const generatorProcesses = generatorSampler.stop();
    const serverMetrics = await scraper.stop();
    let acceptedTotal = 0;
    for (const f of producerFinals) acceptedTotal += f.accepted;
    const { onProgress: _p, jwtSecret: _j, apiKey: _a, servers: _s, metricsTargets: _m, window: _w, ...options } = o;
    return {
      label: o.label, t0, options, phases: { connectStart, publishStart, publishEnd, graceStart, end },
      clientFinals, producerFinals, acceptedTotal, processes, generatorProcesses, serverMetrics, maxSeq,
    };
  } finally {
    clearTimeout(hardStop);
    clearInterval(progressTimer);
    sampler.stop();
    generatorSampler?.stop();
    await scraper.stop();
    await Promise.all(all().map((w) => w.close()));
  }
}
