export interface Matcher {
  label: string;
  op: "=" | "!=" | "=~" | "!~";
  value: string;
}

/** One series selector of an expression: `name{label op "value", …}`. */
export interface Selector {
  metric: string;
  matchers: Matcher[];
}

/** What a PromQL expression reads: its series selectors, and the labels it groups or matches on. */
export interface References {
  selectors: Selector[];
  /** Labels of `by (…)`, `without (…)`, `on (…)`, `ignoring (…)`, `group_left (…)`, `group_right (…)`. */
  grouping: string[];
}

const LABEL_LISTS = new Set(["by", "without", "on", "ignoring", "group_left", "group_right"]);
const KEYWORDS = new Set(["and", "or", "unless", "offset", "bool", "atan2", "inf", "nan"]);
const AGGREGATIONS = new Set(["sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk", "topk", "quantile", "limitk", "limit_ratio"]);

const IDENT = /[a-zA-Z_:][a-zA-Z0-9_:]*/y;
const NUMBER = /(?:0x[0-9a-fA-F]+|[0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)(?:ms|[smhdwy])*/y;
// Grafana's variables: $name, ${name}, ${name:format}, [[name]]
const VARIABLE = /\$\{[^}]*\}|\$[a-zA-Z0-9_]+|\[\[[^\]]*\]\]/y;
const MATCHER = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)\s*,?/y;

const at = (re: RegExp, text: string, i: number) => {
  re.lastIndex = i;
  return re.exec(text);
};
const unquote = (s: string) => (s.startsWith("`") ? s.slice(1, -1) : s.slice(1, -1).replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c)));

/** Index just past the bracket that closes the one at `i` (strings inside are skipped). */
function closing(text: string, i: number): number {
  const open = text[i]!;
  const close = ({ "(": ")", "[": "]", "{": "}" } as Record<string, string>)[open]!;
  let depth = 0;
  for (let j = i; j < text.length; j++) {
    const c = text[j]!;
    if (c === '"' || c === "'" || c === "`") j = skipString(text, j) - 1;
    else if (c === open) depth++;
    else if (c === close && --depth === 0) return j + 1;
  }
  throw new Error(`unclosed ${open} at ${i} in ${text}`);
}

function skipString(text: string, i: number): number {
  const quote = text[i]!;
  for (let j = i + 1; j < text.length; j++) {
    if (text[j] === "\\" && quote !== "`") j++;
    else if (text[j] === quote) return j + 1;
  }
  throw new Error(`unterminated string at ${i} in ${text}`);
}

function parseMatchers(body: string): Matcher[] {
  const matchers: Matcher[] = [];
  let i = 0;
  while (i < body.length && body.slice(i).trim() !== "") {
    const m = at(MATCHER, body, i);
    if (!m) throw new Error(`cannot read label matchers {${body}}`);
    matchers.push({ label: m[1]!, op: m[2] as Matcher["op"], value: unquote(m[3]!) });
    i = MATCHER.lastIndex;
  }
  return matchers;
}

/**
 * The series selectors and grouping labels of a PromQL expression, as written (Grafana variables are
 * skipped where they stand). A small scanner, not a parser: enough for dashboards and rule files.
 */
export function referencesOf(expr: string): References {
  const selectors: Selector[] = [];
  const grouping: string[] = [];
  const nextNonSpace = (i: number) => {
    while (i < expr.length && /\s/.test(expr[i]!)) i++;
    return i;
  };
  let i = 0;
  while (i < expr.length) {
    const c = expr[i]!;
    if (/\s/.test(c)) i++;
    else if (c === "#") i = expr.indexOf("\n", i) === -1 ? expr.length : expr.indexOf("\n", i);
    else if (c === '"' || c === "'" || c === "`") i = skipString(expr, i);
    else if (at(VARIABLE, expr, i)) i = VARIABLE.lastIndex;
    else if (c === "[") i = closing(expr, i); // a range or subquery: [5m], [$__rate_interval], [1h:5m]
    else if (c === "{") {
      // A selector without a name ({__name__="…"}): its name is the matcher's.
      const end = closing(expr, i);
      const matchers = parseMatchers(expr.slice(i + 1, end - 1));
      const name = matchers.find((m) => m.label === "__name__" && m.op === "=");
      selectors.push({ metric: name?.value ?? "", matchers: matchers.filter((m) => m !== name) });
      i = end;
    } else if (/[0-9.]/.test(c) && at(NUMBER, expr, i)) i = NUMBER.lastIndex;
    else if (at(IDENT, expr, i)) {
      const word = at(IDENT, expr, i)![0];
      const after = nextNonSpace(i + word.length);
      if (LABEL_LISTS.has(word)) {
        if (expr[after] === "(") {
          const end = closing(expr, after);
          grouping.push(...expr.slice(after + 1, end - 1).split(",").map((l) => l.trim()).filter(Boolean));
          i = end;
        } else i = after;
      } else if (expr[after] === "(" || KEYWORDS.has(word.toLowerCase()) || AGGREGATIONS.has(word)) {
        i = i + word.length; // a function, an aggregation or an operator
      } else if (expr[after] === "{") {
        const end = closing(expr, after);
        selectors.push({ metric: word, matchers: parseMatchers(expr.slice(after + 1, end - 1)) });
        i = end;
      } else {
        selectors.push({ metric: word, matchers: [] });
        i = i + word.length;
      }
    } else i++;
  }
  return { selectors, grouping };
}
