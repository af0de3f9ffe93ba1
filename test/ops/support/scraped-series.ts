import { parseMetrics } from "../../support/metrics.ts";

/** One series as Prometheus stores it after a scrape: the sample's labels plus the target's. */
export interface StoredSeries {
  name: string;
  labels: Record<string, string>;
  value: number;
  /** The metric family's `# TYPE`: counter, gauge, histogram, summary or untyped. */
  type: string;
}

export interface Target {
  job: string;
  instance: string;
}

const SUFFIXES = ["_bucket", "_sum", "_count", "_created", "_total"];

/**
 * The series one scrape of `text` from `target` adds, as Prometheus's default `honor_labels: false`
 * stores them: a sample's own `job` or `instance` label becomes `exported_job` / `exported_instance`,
 * and the target's `job` and `instance` are set on every series.
 */
export function asStored(text: string, target: Target): StoredSeries[] {
  const types = new Map<string, string>();
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) types.set(m[1]!, m[2]!);
  const typeOf = (name: string) => {
    if (types.has(name)) return types.get(name)!;
    const suffix = SUFFIXES.find((s) => name.endsWith(s) && types.has(name.slice(0, -s.length)));
    return suffix ? types.get(name.slice(0, -suffix.length))! : "untyped";
  };
  return parseMetrics(text).map((s) => {
    const labels: Record<string, string> = {};
    for (const [k, v] of Object.entries(s.labels)) labels[k === "job" || k === "instance" ? `exported_${k}` : k] = v;
    return { name: s.name, labels: { ...labels, job: target.job, instance: target.instance }, value: s.value, type: typeOf(s.name) };
  });
}

/** Scrapes `${baseUrl}/metrics` (5 s at most) into stored series. */
export async function scrape(baseUrl: string, target: Target): Promise<StoredSeries[]> {
  const res = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(5000) });
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  return asStored(await res.text(), target);
}
