/** CLI: `npm run loadtest:backlog -- --backlog 100000 --others 50 --rate 100` (see --help). */
import { randomBytes } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { isAbsolute, join } from "node:path";
import { backlogUsage, parseBacklogOptions, type BacklogOptions } from "./backlog-options.ts";
import { formatBacklogSummary, writeBacklogReports } from "./backlog-report.ts";
import { buildBacklogResult } from "./backlog-result.ts";
import { runBacklog } from "./backlog-run.ts";
import { createInterruptCleanup } from "./cleanup-registry.ts";
import { repoRoot } from "./support/repo-root.ts";

/** In place on a TTY, every 5th line otherwise. */
function linePrinter(stream: NodeJS.WriteStream) {
  let dirty = false, n = 0;
  return {
    print(line: string) {
      if (stream.isTTY) {
        stream.write(`\r\x1b[K${line.slice(0, (stream.columns || 200) - 1)}`);
        dirty = true;
      } else if (n++ % 5 === 0) stream.write(line + "\n");
    },
    done() {
      if (dirty) stream.write("\n");
      dirty = false;
    },
  };
}

async function main(): Promise<number> {
  let options: BacklogOptions;
  try {
    options = parseBacklogOptions(process.argv.slice(2));
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${backlogUsage}`);
    return 2;
  }
  const cleanup = createInterruptCleanup("stopping the hub and dropping the run's database");

  const startedAt = new Date();
  const runId = randomBytes(4).toString("hex");
  const name = options.name ?? `backlog-${startedAt.toISOString().replace(/[:.]/g, "-").slice(0, 19)}-${runId}`;
  const outDir = options.outDir === null ? null : isAbsolute(options.outDir) ? options.outDir : join(repoRoot, options.outDir);
  const logDir = outDir ? join(outDir, `${name}-logs`) : join(tmpdir(), `push-hub-loadtest-${name}`);
  await mkdir(logDir, { recursive: true });
  const printer = linePrinter(process.stderr);
  const raw = await runBacklog(options, {
    runId,
    logDir,
    cleanup,
    log: (line) => {
      printer.done();
      console.error(line);
    },
    ...(options.quiet ? {} : { progress: printer.print }),
  });
  printer.done();
  const result = buildBacklogResult({ name, startedAt, options, raw });
  for (const line of formatBacklogSummary(result)) console.log(line);
  if (outDir) {
    const files = await writeBacklogReports(outDir, result);
    console.log(`report: ${files.html}\nresult: ${files.json}`);
  }
  return result.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
