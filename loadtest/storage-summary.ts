/** Storage samples (--sample-db) → the series in the result and the first/last/max table. Pure. */
import type { DbSamplerOutcome, TableSize } from "./db-sampler.ts";
import type { ProcessSamples } from "./process-sampler.ts";

export interface StorageSeriesPoint {
  /** seconds since the run's t0 */
  at: number;
  databaseBytes: number;
  tables: Record<string, TableSize>;
}

export interface FirstLastMax {
  first: number;
  last: number;
  max: number;
  /** max over the second half of the samples ÷ max over the first half; ≈ 1 when flat after warm-up */
  halfRatio: number | null;
}

export interface StorageRow {
  name: string;
  bytes: FirstLastMax;
  partitions: FirstLastMax;
  liveRows: FirstLastMax;
  deadRows: FirstLastMax;
}

export interface StorageReport {
  intervalSec: number;
  samples: StorageSeriesPoint[];
  rows: StorageRow[];
  database: FirstLastMax;
  /** RSS (MB) of each sampled hub process, from the process sampler */
  rss: Array<{ label: string; rssMB: FirstLastMax }>;
  errors: number;
  errorSample: string[];
}

const round = (v: number, digits = 2) => Math.round(v * 10 ** digits) / 10 ** digits;

export function firstLastMax(values: number[]): FirstLastMax {
  if (values.length === 0) return { first: 0, last: 0, max: 0, halfRatio: null };
  const half = Math.floor(values.length / 2);
  const a = Math.max(...values.slice(0, half)), b = Math.max(...values.slice(half));
  return {
    first: values[0] as number,
    last: values[values.length - 1] as number,
    max: Math.max(...values),
    halfRatio: half > 0 && a > 0 ? round(b / a) : null,
  };
}

export function buildStorageReport(o: { outcome: DbSamplerOutcome; t0: number; intervalSec: number; processes: ProcessSamples[] }): StorageReport {
  const samples = o.outcome.samples.map((s) => ({ at: round((s.atMs - o.t0) / 1000), databaseBytes: s.databaseBytes, tables: s.tables }));
  const names = [...new Set(samples.flatMap((s) => Object.keys(s.tables)))];
  const col = (name: string, f: (t: TableSize) => number) => samples.flatMap((s) => (s.tables[name] ? [f(s.tables[name])] : []));
  return {
    intervalSec: o.intervalSec,
    samples,
    rows: names.map((name) => ({
      name,
      bytes: firstLastMax(col(name, (t) => t.bytes)),
      partitions: firstLastMax(col(name, (t) => t.partitions)),
      liveRows: firstLastMax(col(name, (t) => t.liveRows)),
      deadRows: firstLastMax(col(name, (t) => t.deadRows)),
    })),
    database: firstLastMax(samples.map((s) => s.databaseBytes)),
    rss: o.processes.map((p) => ({ label: p.label, rssMB: firstLastMax(p.samples.map((x) => x.rssMB)) })),
    errors: o.outcome.errors,
    errorSample: o.outcome.errorSample,
  };
}

const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join("  ");
  return [line(head), ...rows.map(line)].join("\n");
}

/** The short end-of-run table: first/last/max size per table (MB), partitions, rows, hub RSS. */
export function formatStorageTable(r: StorageReport): string {
  const ratio = (x: FirstLastMax) => (x.halfRatio === null ? "—" : x.halfRatio.toFixed(2));
  const rows = r.rows.map((t) => [
    t.name, mb(t.bytes.first), mb(t.bytes.last), mb(t.bytes.max), ratio(t.bytes),
    t.partitions.max > 0 ? `${t.partitions.first}/${t.partitions.last}/${t.partitions.max}` : "—",
    `${t.liveRows.last}/${t.liveRows.max}`, `${t.deadRows.last}/${t.deadRows.max}`,
  ]);
  rows.push(["(whole database)", mb(r.database.first), mb(r.database.last), mb(r.database.max), ratio(r.database), "", "", ""]);
  for (const p of r.rss) rows.push([`${p.label} RSS`, p.rssMB.first.toFixed(1), p.rssMB.last.toFixed(1), p.rssMB.max.toFixed(1), ratio(p.rssMB), "", "", ""]);
  const span = r.samples.length > 0 ? `${r.samples[0]?.at}–${r.samples[r.samples.length - 1]?.at} s` : "none";
  const head = ["storage (MB)", "first", "last", "max", "max 2nd/1st half", "partitions f/l/max", "live rows last/max", "dead rows last/max"];
  const errors = r.errors > 0 ? `\n${r.errors} sample(s) failed, e.g. ${r.errorSample[0] ?? ""}` : "";
  return `storage: ${r.samples.length} samples every ${r.intervalSec} s (${span}); rows are estimates from pg_stat_user_tables\n${table(head, rows)}${errors}`;
}
