/** Why a JSON value cannot be stored as PostgreSQL jsonb, or null when it can. */
export function jsonValueProblem(value: unknown, maxDepth: number): string | null {
  const stack: Array<{ v: unknown; depth: number }> = [{ v: value, depth: 0 }];
  while (stack.length > 0) {
    const { v, depth } = stack.pop() as { v: unknown; depth: number };
    if (depth > maxDepth) return `nested deeper than ${maxDepth} levels`;
    if (typeof v === "string") {
      const problem = stringProblem(v);
      if (problem) return problem;
    } else if (Array.isArray(v)) {
      for (const item of v) stack.push({ v: item, depth: depth + 1 });
    } else if (v !== null && typeof v === "object") {
      for (const [k, item] of Object.entries(v)) {
        const problem = stringProblem(k);
        if (problem) return `key ${problem}`;
        stack.push({ v: item, depth: depth + 1 });
      }
    }
  }
  return null;
}

/** PostgreSQL text and jsonb reject NUL characters and unpaired UTF-16 surrogates. */
export function stringProblem(s: string): string | null {
  if (s.includes("\u0000")) return "contains a NUL character";
  if (!s.isWellFormed()) return "contains an unpaired surrogate";
  return null;
}
