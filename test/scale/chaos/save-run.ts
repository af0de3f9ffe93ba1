import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ScheduleRun } from "./run-schedule.ts";

/** Writes a run's raw record (events, every receipt and connection, accepted ids) beside the hub logs. */
export function saveRun(run: ScheduleRun, dir: string): string {
  const file = join(dir, `run-${run.schedule.seed}.json`);
  const record = {
    schedule: run.schedule,
    startedAt: run.startedAt,
    events: run.events,
    devices: run.devices.map((d) => ({ uid: d.uid, frames: d.frames, connections: d.connections, receipts: d.receipts })),
    accepted: Object.fromEntries(run.produced.accepted),
    unconfirmed: run.produced.unconfirmed,
  };
  writeFileSync(file, JSON.stringify(record));
  return file;
}
