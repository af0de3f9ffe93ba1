import assert from "node:assert/strict";
import { test } from "node:test";
import { unknownReferences } from "./support/check-references.ts";
import { dashboardExpressions, ruleExpressions, withoutVariables } from "./support/ops-expressions.ts";
import { referencesOf } from "./support/promql-references.ts";
import { asStored } from "./support/scraped-series.ts";

const names = (expr: string) => referencesOf(expr).selectors.map((s) => s.metric);

test("metric names are read from selectors, not from functions, aggregations, keywords, labels, strings or durations", () => {
  assert.deepEqual(
    names('histogram_quantile(0.99, sum by (le, route) (rate(http_seconds_bucket{job=~"$job",route!="/x"}[$__rate_interval])))'),
    ["http_seconds_bucket"],
  );
  assert.deepEqual(names("sum(rate(a_total[5m] offset 1h)) / ignoring(x) group_left(y) sum without (z) (b) > bool 0.1"), ["a_total", "b"]);
  assert.deepEqual(names('max by (job) (depth) > 0 and sum by (job) (increase(acked_total[10m])) == 0 unless on (job) up{job="x"}'), ["depth", "acked_total", "up"]);
  assert.deepEqual(names('label_replace(up, "dst", "$1", "src", "(.*)") * 1e3 + avg_over_time(lag[5m:30s]) # a comment naming fake_metric'), ["up", "lag"]);
  assert.deepEqual(names('sum(x) by (le) and count(y) without(le) or {__name__="z", a="b"}'), ["x", "y", "z"]);
  assert.deepEqual(names("topk(5, sum by (instance) (c)) and quantile(0.9, d) and -e + Inf"), ["c", "d", "e"]);
});

test("label matchers and grouping labels are read with the selector they belong to", () => {
  const refs = referencesOf('sum by (exported_job, result) (rate(runs_total{result="failed", job=~"$job"}[5m])) / on(instance) x{a!~\'b\\\'c\'}');
  assert.deepEqual(refs.selectors, [
    { metric: "runs_total", matchers: [{ label: "result", op: "=", value: "failed" }, { label: "job", op: "=~", value: "$job" }] },
    { metric: "x", matchers: [{ label: "a", op: "!~", value: "b'c" }] },
  ]);
  assert.deepEqual(refs.grouping, ["exported_job", "result", "instance"]);
});

const series = asStored(
  [
    "# TYPE runs_total counter",
    'runs_total{job="reap",result="ok"} 3',
    "# TYPE lat_seconds histogram",
    'lat_seconds_bucket{le="0.1"} 1',
    'lat_seconds_bucket{le="+Inf"} 2',
    "lat_seconds_sum 0.3",
    "lat_seconds_count 2",
  ].join("\n"),
  { job: "push-hub", instance: "h:1" },
);

test("a scraped sample's own job label is stored as exported_job, beside the target's job and instance", () => {
  assert.deepEqual(series[0], { name: "runs_total", labels: { exported_job: "reap", result: "ok", job: "push-hub", instance: "h:1" }, value: 3, type: "counter" });
  assert.equal(series.find((s) => s.name === "lat_seconds_count")?.type, "histogram");
});

test("references to what the series have pass; a wrong metric, label, value or grouping label is named", () => {
  assert.deepEqual(unknownReferences('histogram_quantile(0.9, sum by (le) (rate(lat_seconds_bucket{instance=~"$i"}[5m])))', series), []);
  assert.deepEqual(unknownReferences('sum by (exported_job) (runs_total{result="ok",job="push-hub"})', series), []);
  assert.deepEqual(unknownReferences("rate(lat_seconds[5m])", series), ["metric lat_seconds"], "a histogram has no series under its bare name");
  assert.deepEqual(unknownReferences("rate(runs_totl[5m])", series), ["metric runs_totl"]);
  assert.deepEqual(unknownReferences('runs_total{result="failed"}', series), ['runs_total{result="failed"}']);
  assert.deepEqual(unknownReferences('runs_total{chore="reap"}', series), ["label chore of runs_total"]);
  assert.deepEqual(unknownReferences("sum by (route) (runs_total)", series), ["grouping label route"]);
  assert.deepEqual(unknownReferences('{a="b"}', series), ["a selector without a metric name"]);
});

test("dashboard expressions come from nested panels and from label_values variables", () => {
  const found = dashboardExpressions({
    panels: [{ title: "row", panels: [{ title: "p", targets: [{ expr: "a", refId: "A" }] }] }, { title: "q", targets: [{ expr: "b" }, {}] }],
    templating: { list: [{ name: "instance", type: "query", query: 'label_values(up{job=~"$job"}, instance)' }, { name: "ds", type: "datasource", query: "prometheus" }] },
  });
  assert.deepEqual(found, [
    { where: 'panel "p" A', expr: "a" },
    { where: 'panel "q"', expr: "b" },
    { where: "variable instance", expr: 'up{job=~"$job"}' },
  ]);
});

test("rule expressions are read inline, quoted and as block scalars", () => {
  const yaml = [
    "groups:",
    "  - name: g",
    "    rules:",
    "      - alert: A",
    "        expr: up == 0",
    "        for: 1m",
    "      - alert: B",
    "        expr: |",
    "          sum(x)",
    "",
    "            > 1",
    "        labels: {severity: warning}",
    "      - record: r:c",
    '        expr: "rate(c[5m])"',
    "      - alert: C",
    "        expr: >-",
    "          d",
  ].join("\n");
  assert.deepEqual(ruleExpressions(yaml), [
    { where: "alert A", expr: "up == 0" },
    { where: "alert B", expr: "sum(x)\n\n> 1" },
    { where: "record r:c", expr: "rate(c[5m])" },
    { where: "alert C", expr: "d" },
  ]);
});

test("Grafana variables give way to what Prometheus parses", () => {
  assert.equal(
    withoutVariables('rate(x{job=~"$job",instance=~"${instance}"}[$__rate_interval]) offset ${__range}'),
    'rate(x{job=~".*",instance=~".*"}[5m]) offset 5m',
  );
});
