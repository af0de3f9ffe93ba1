import { referencesOf } from "./promql-references.ts";

interface Series {
  name: string;
  labels: Record<string, string>;
}

/**
 * What `expr` names that `series` do not have: a metric no series carries, a label matcher on a label
 * its metric never has, an `=` matcher whose value no series of the metric has (unless it holds a
 * Grafana variable), and a grouping label none of the expression's metrics has. Empty: all is real.
 */
export function unknownReferences(expr: string, series: readonly Series[]): string[] {
  const byName = new Map<string, Series[]>();
  for (const s of series) byName.set(s.name, [...(byName.get(s.name) ?? []), s]);
  const problems: string[] = [];
  const { selectors, grouping } = referencesOf(expr);
  const labelsSeen = new Set<string>();
  for (const { metric, matchers } of selectors) {
    const found = byName.get(metric);
    if (!metric) problems.push("a selector without a metric name");
    else if (!found) problems.push(`metric ${metric}`);
    if (!found) continue;
    for (const s of found) for (const l of Object.keys(s.labels)) labelsSeen.add(l);
    for (const m of matchers) {
      if (!found.some((s) => m.label in s.labels)) problems.push(`label ${m.label} of ${metric}`);
      else if (m.op === "=" && !m.value.includes("$") && !found.some((s) => s.labels[m.label] === m.value)) {
        problems.push(`${metric}{${m.label}="${m.value}"}`);
      }
    }
  }
  for (const label of grouping) if (!labelsSeen.has(label)) problems.push(`grouping label ${label}`);
  return problems;
}
