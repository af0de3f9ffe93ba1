const MAX_BIGINT = 9_223_372_036_854_775_807n;

/** A message id as clients see it (decimal string) → bigint, or null when it cannot be one. */
export function parseId(raw: unknown): bigint | null {
  if (typeof raw !== "string" || !/^[1-9][0-9]{0,18}$/.test(raw)) return null;
  const id = BigInt(raw);
  return id <= MAX_BIGINT ? id : null;
}
