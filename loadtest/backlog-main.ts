/** CLI: `npm run loadtest:backlog -- --backlog 100000 --others 50 --rate 100` (see --help). */
import { backlogUsage, parseBacklogOptions } from "./backlog-options.ts";
import { formatBacklogSummary, writeBacklogReports } from "./backlog-report.ts";
import { buildBacklogResult } from "./backlog-result.ts";
import { runBacklog } from "./backlog-run.ts";
import { createStatusLine } from "./progress-line.ts";
import { runCli } from "./run-cli.ts";
import { prepareRunDirs } from "./run-dirs.ts";

runCli({
  parse: parseBacklogOptions,
  usage: backlogUsage,
  interruptNote: "stopping the hub and dropping the run's database",
  async run(options, cleanup) {
    const { startedAt, runId, name, outDir, logDir } = await prepareRunDirs("backlog", options);
    const status = createStatusLine(process.stderr);
    const raw = await runBacklog(options, {
      runId,
      logDir,
      cleanup,
      log: (line) => {
        status.done();
        console.error(line);
      },
      ...(options.quiet ? {} : { progress: (line) => status.show(line) }),
    });
    status.done();
    const result = buildBacklogResult({ name, startedAt, options, raw });
    for (const line of formatBacklogSummary(result)) console.log(line);
    if (outDir) {
      const files = await writeBacklogReports(outDir, result);
      console.log(`report: ${files.html}\nresult: ${files.json}`);
    }
    return result.ok ? 0 : 1;
  },
});
