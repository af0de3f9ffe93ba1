import { z } from "zod";

/**
 * A whole number in a query string, in decimal digits only: "0x10", " 5", "%20%205", "+5", "1e2" and
 * "5.0" are refused, where Number() would read them as numbers.
 */
export const decimalQueryInt = (min: number, max: number) => {
  const range = `must be ${min}–${max}`;
  return z
    .string()
    .regex(/^[0-9]+$/, `${range}, in decimal digits`)
    .transform((digits) => (digits.length > 15 ? Number.MAX_SAFE_INTEGER : Number(digits)))
    .pipe(z.number().int().min(min, range).max(max, range));
};
