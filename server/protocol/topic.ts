import { z } from "zod";
import { TOPIC_NAME } from "../../client/src/protocol.ts";

/** Topic names (the SDK checks the same pattern before it sends one). */
export const topicNameSchema = z.string().regex(TOPIC_NAME, "a topic is 1–128 characters of A–Z a–z 0–9 _ - . :");

/**
 * A topic pattern: a topic name in which a segment may be `*`, matching one whole segment of any name
 * (`news:*` matches `news:sport`, not `news` or `news:sport:live`).
 */
export const topicPatternSchema = z
  .string()
  .regex(/^[A-Za-z0-9_.:*-]{1,128}$/, "a topic pattern is 1–128 characters of A–Z a–z 0–9 _ - . : *")
  .refine((p) => p.split(":").every((segment) => segment.length > 0 && (segment === "*" || !segment.includes("*"))), {
    message: "* stands for one whole segment (news:*), and no segment is empty",
  });

/** Whether `topic` matches `pattern` (segment by segment, `*` matching any one segment). */
export function matchesTopic(pattern: string, topic: string): boolean {
  const want = pattern.split(":");
  const have = topic.split(":");
  return want.length === have.length && want.every((segment, i) => segment === "*" || segment === have[i]);
}
