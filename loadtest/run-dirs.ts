import { randomBytes } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { isAbsolute, join } from "node:path";
import { repoRoot } from "./support/repo-root.ts";

export interface RunDirs {
  startedAt: Date;
  /** Short random id; Redis prefixes and uids of the run carry it. */
  runId: string;
  /** `<kind>-<start time>-<runId>` unless given; names the report files. */
  name: string;
  /** Absolute reports directory, or null for no reports. */
  outDir: string | null;
  /** Server logs: `<outDir>/<name>-logs`, or a temp directory without reports. Created. */
  logDir: string;
}

/** `outDir` relative to the repository root. */
export async function prepareRunDirs(kind: string, o: { name?: string | undefined; outDir: string | null }): Promise<RunDirs> {
  const startedAt = new Date();
  const runId = randomBytes(4).toString("hex");
  const name = o.name ?? `${kind}-${startedAt.toISOString().replace(/[:.]/g, "-").slice(0, 19)}-${runId}`;
  const outDir = o.outDir === null ? null : isAbsolute(o.outDir) ? o.outDir : join(repoRoot, o.outDir);
  const logDir = outDir ? join(outDir, `${name}-logs`) : join(tmpdir(), `push-hub-loadtest-${name}`);
  await mkdir(logDir, { recursive: true });
  return { startedAt, runId, name, outDir, logDir };
}
