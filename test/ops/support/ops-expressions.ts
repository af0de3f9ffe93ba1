import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const DASHBOARD_FILE = fileURLToPath(new URL("../../../ops/grafana/push-hub.json", import.meta.url));
export const RULES_FILE = fileURLToPath(new URL("../../../ops/prometheus/alerts.yml", import.meta.url));

/** A PromQL expression and where it stands, for messages. */
export interface Expression {
  where: string;
  expr: string;
}

interface Panel {
  title?: string;
  panels?: Panel[];
  targets?: { expr?: string; refId?: string }[];
}

interface Dashboard {
  panels?: Panel[];
  templating?: { list?: { name: string; type: string; query?: string | { query?: string } }[] };
}

/**
 * Every PromQL expression of a Grafana dashboard: its panels' targets (rows' nested panels too) and its
 * query variables (`label_values(selector, label)` contributes its selector).
 */
export function dashboardExpressions(dashboard: Dashboard): Expression[] {
  const found: Expression[] = [];
  const visit = (panels: Panel[]) => {
    for (const p of panels) {
      for (const t of p.targets ?? []) if (t.expr) found.push({ where: `panel "${p.title}" ${t.refId ?? ""}`.trim(), expr: t.expr });
      visit(p.panels ?? []);
    }
  };
  visit(dashboard.panels ?? []);
  for (const v of dashboard.templating?.list ?? []) {
    if (v.type !== "query") continue;
    const query = typeof v.query === "string" ? v.query : (v.query?.query ?? "");
    const labelValues = /^\s*label_values\(\s*(.*?)\s*,\s*[a-zA-Z_][a-zA-Z0-9_]*\s*\)\s*$/s.exec(query);
    found.push({ where: `variable ${v.name}`, expr: labelValues ? labelValues[1]! : query });
  }
  return found;
}

/**
 * Every rule's `expr` in a Prometheus rule file. Reads only the shapes a rule file uses (`expr:` inline,
 * quoted, or a `|`/`>` block); the tests compare the count with `promtool check rules`.
 */
export function ruleExpressions(yaml: string): Expression[] {
  const lines = yaml.split("\n");
  const found: Expression[] = [];
  let rule = "";
  for (let i = 0; i < lines.length; i++) {
    const name = /^\s*(?:- )?(alert|record):\s*(\S+)\s*$/.exec(lines[i]!);
    if (name) rule = `${name[1]} ${name[2]}`;
    const m = /^(\s*)(?:- )?expr:\s*(.*?)\s*$/.exec(lines[i]!);
    if (!m) continue;
    const indent = m[1]!.length;
    let expr = m[2]!;
    if (/^[|>][-+]?$/.test(expr)) {
      const block: string[] = [];
      while (i + 1 < lines.length && (lines[i + 1]!.trim() === "" || lines[i + 1]!.search(/\S/) > indent)) block.push(lines[++i]!.trim());
      expr = block.join("\n").trim();
    } else if (/^(["']).*\1$/.test(expr)) {
      expr = expr.startsWith('"') ? (JSON.parse(expr) as string) : expr.slice(1, -1).replace(/''/g, "'");
    }
    found.push({ where: rule || `line ${i + 1}`, expr });
  }
  return found;
}

export const readDashboard = (): Dashboard => JSON.parse(readFileSync(DASHBOARD_FILE, "utf8")) as Dashboard;
export const readRules = (): string => readFileSync(RULES_FILE, "utf8");

/** `expr` with Grafana's variables replaced by what Prometheus can parse: intervals by 5m, the rest by `.*`. */
export const withoutVariables = (expr: string): string =>
  expr.replace(/\$__(rate_interval|interval|range)\b|\$\{__(rate_interval|interval|range)\}/g, "5m").replace(/\$\{[^}]*\}|\$[a-zA-Z_]\w*/g, ".*");
