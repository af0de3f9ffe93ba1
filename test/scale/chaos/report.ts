import { countDuplicates, findInversions, findMissing, type Inversion, type Receipt } from "./order-check.ts";
import type { ScheduleRun } from "./run-schedule.ts";
import { describeSchedule } from "./schedule.ts";

export interface UidVerdict {
  uid: string;
  frames: boolean;
  accepted: number;
  received: number;
  duplicates: number;
  inversions: Inversion[];
  missing: string[];
}

export interface RunVerdict {
  ok: boolean;
  uids: UidVerdict[];
}

export function judge(run: ScheduleRun): RunVerdict {
  const uids = run.devices.map((d): UidVerdict => {
    const accepted = run.produced.accepted.get(d.uid) ?? [];
    return {
      uid: d.uid,
      frames: d.frames,
      accepted: accepted.length,
      received: new Set(d.receipts.map((r) => r.id)).size,
      duplicates: countDuplicates(d.receipts),
      inversions: findInversions(d.receipts),
      missing: findMissing(accepted, d.receipts),
    };
  });
  return { ok: uids.every((u) => u.inversions.length === 0 && u.missing.length === 0), uids };
}

/** One line for the test's diagnostics, pass or fail. */
export function summarize(run: ScheduleRun, v: RunVerdict): string {
  const sum = (f: (u: UidVerdict) => number) => v.uids.reduce((n, u) => n + f(u), 0);
  return JSON.stringify({
    seed: run.schedule.seed,
    accepted: sum((u) => u.accepted),
    duplicates: sum((u) => u.duplicates),
    uidsOutOfOrder: v.uids.filter((u) => u.inversions.length > 0).length,
    lateFirstReceipts: sum((u) => u.inversions.length),
    missing: sum((u) => u.missing.length),
    producerRetried: run.produced.retried,
    producerGaveUp: run.produced.unconfirmed.length,
    requests: run.produced.outcomes,
  });
}

const SHOW = 8;

/** Everything needed to understand (and rerun) a failed schedule. */
export function explainFailure(run: ScheduleRun, v: RunVerdict, logDir: string): string {
  const t = (at: number) => `${((at - run.startedAt) / 1000).toFixed(2)} s`;
  const receipt = (r: Receipt) => `${r.id} (attempt ${r.attempt}, via hub${r.instance}${r.framed ? " frame" : ""}, at ${t(r.at)})`;
  const lines = [
    `schedule ${describeSchedule(run.schedule)}`,
    `rerun it: CHAOS_SEED=${run.schedule.seed} npm test -- chaos-order`,
    "what happened:",
    ...run.events.map((e) => `  ${(e.atMs / 1000).toFixed(2)} s  ${e.what}`),
  ];
  for (const u of v.uids.filter((x) => x.inversions.length > 0 || x.missing.length > 0)) {
    const device = run.devices.find((d) => d.uid === u.uid)!;
    lines.push(`${u.uid} (${u.frames ? "asks for frames" : "plain"}): ${u.accepted} accepted, ${u.received} received, ${u.duplicates} duplicates`);
    const connections = device.connections.map((c) => `hub${c.instance} ${t(c.up)}–${c.down === undefined ? "end" : `${t(c.down)} (${c.reason})`}`);
    lines.push(`  connections: ${connections.join(", ")}`);
    if (u.inversions.length > 0) {
      lines.push(`  ${u.inversions.length} first receipts after a newer id:`);
      for (const i of u.inversions.slice(0, SHOW)) lines.push(`    ${receipt(i.late)} after ${receipt(i.newest)}`);
      if (u.inversions.length > SHOW) lines.push(`    … and ${u.inversions.length - SHOW} more, up to ${u.inversions.at(-1)!.late.id}`);
    }
    if (u.missing.length > 0) lines.push(`  ${u.missing.length} accepted, never received: ${u.missing.slice(0, 20).join(", ")}${u.missing.length > 20 ? " …" : ""}`);
  }
  if (!run.settled) lines.push("(gave up waiting for every accepted message to arrive)");
  lines.push(`hub logs: ${logDir}`);
  return lines.join("\n");
}
