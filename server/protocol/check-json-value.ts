/**
 * Why a JSON value cannot be stored as PostgreSQL jsonb, or null when it can. Every array and object is
 * a level, empty or not: `[]` is nested 1 deep, `[[]]` 2, `{"a":[1]}` 2.
 */
export function jsonValueProblem(value: unknown, maxDepth: number): string | null {
  const stack: Array<{ v: unknown; level: number }> = [{ v: value, level: 1 }];
  while (stack.length > 0) {
    const { v, level } = stack.pop() as { v: unknown; level: number };
    if (typeof v === "string") {
      const problem = stringProblem(v);
      if (problem) return problem;
    } else if (v !== null && typeof v === "object") {
      if (level > maxDepth) return `nested deeper than ${maxDepth} levels`;
      if (Array.isArray(v)) {
        for (const item of v) stack.push({ v: item, level: level + 1 });
        continue;
      }
      for (const [k, item] of Object.entries(v)) {
        const problem = stringProblem(k);
        if (problem) return `key ${problem}`;
        stack.push({ v: item, level: level + 1 });
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
