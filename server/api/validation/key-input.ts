import { z } from "zod";
import { uidSchema } from "../../protocol/uid.ts";
import { SCOPES } from "../keys/key-grant.ts";
import { topicPatternSchema } from "../../protocol/topic.ts";

const TEN_YEARS = 10 * 365 * 86_400;

/** A new API key as POST /api/keys and `npm run keys -- create` describe it. */
export const keyInputSchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  scopes: z.array(z.enum(SCOPES)).min(1).max(SCOPES.length),
  uidPrefix: uidSchema.optional(),
  topics: z.array(topicPatternSchema).min(1).max(100).optional(),
  expiresInSeconds: z.number().int().min(1).max(TEN_YEARS).optional(),
  ratePerSecond: z.number().int().min(1).max(1_000_000).optional(),
});

export type KeyInput = z.infer<typeof keyInputSchema>;

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/** "90d", "12h", "30m", "45s", "2w" or plain seconds → seconds; null when it is none of these. */
export function parseDuration(text: string): number | null {
  const m = /^(\d{1,9})([smhdw]?)$/.exec(text.trim());
  if (!m) return null;
  return Number(m[1]) * (UNITS[m[2] || "s"] as number);
}
