/** CLI: `npm run loadtest:topic -- --subscribers 100000 --online 5000` (see --help). */
import { createStatusLine } from "./progress-line.ts";
import { runCli } from "./run-cli.ts";
import { prepareRunDirs } from "./run-dirs.ts";
import { parseTopicOptions, topicUsage } from "./topic-options.ts";
import { formatTopicSummary, writeTopicResult } from "./topic-report.ts";
import { buildTopicResult } from "./topic-result.ts";
import { runTopic } from "./topic-run.ts";

runCli({
  parse: parseTopicOptions,
  usage: topicUsage,
  interruptNote: "stopping the hub and dropping the run's database",
  async run(options, cleanup) {
    const { startedAt, runId, name, outDir, logDir } = await prepareRunDirs("topic", options);
    const status = createStatusLine(process.stderr);
    const raw = await runTopic(options, {
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
    const result = buildTopicResult({ name, startedAt, options, raw });
    for (const line of formatTopicSummary(result)) console.log(line);
    if (outDir) console.log(`result: ${await writeTopicResult(outDir, result)}`);
    return result.ok ? 0 : 1;
  },
});
