/** Command line of the deep-backlog drain scenario (`npm run loadtest:backlog -- …`) → bounded options. */
import { parseArgs } from "node:util";
import { z } from "zod";
import { intIn, sharedFlags, sharedInput, sharedOptionFields, validateOptions } from "./shared-options.ts";

export const backlogOptionsSchema = z
  .object({
    backlog: intIn(1, 1_000_000).default(100_000),
    others: intIn(1, 5000).default(50),
    rate: z.coerce.number().positive().max(10_000).default(100),
    beforeSec: z.coerce.number().min(1).max(600).default(10),
    drainTimeoutSec: z.coerce.number().min(1).max(1800).default(120),
    settleSec: z.coerce.number().min(0).max(60).default(3),
    fillBatch: intIn(1, 1000).default(1000),
    msgBytes: intIn(0, 100_000).default(0),
    connectTimeoutMs: intIn(1000, 600_000).default(20_000),
    instances: intIn(1, 4).default(1),
    ...sharedOptionFields,
  })
  .superRefine((o, ctx) => {
    if (o.rate * (o.beforeSec + o.drainTimeoutSec + o.settleSec) > 5_000_000) {
      ctx.addIssue({ code: "custom", path: ["rate"], message: "rate × (before + drain timeout + settle) is capped at 5,000,000 messages" });
    }
  });

export type BacklogOptions = z.output<typeof backlogOptionsSchema>;
export type BacklogInput = z.input<typeof backlogOptionsSchema>;

export const backlogUsage = `npm run loadtest:backlog -- [options]
One hub, or several sharing Redis (fresh database). N messages are stored for one uid while it is offline
(batch API, in order); M other users get live traffic; then the big uid connects and drains its backlog.
  --backlog N            messages stored for the offline uid (100000)
  --others M             other users, connected throughout (50)
  --rate R               live msgs/s to the others, single-message API (100)
  --before S             seconds of live traffic before the big uid connects (10)
  --drain-timeout S      give up on the drain after S seconds (120)
  --settle S             keep going S seconds after the drain (late duplicates) (3)
  --fill-batch K         messages per batch request when storing the backlog (1000)
  --msg-bytes N          padding added to each msg (0)
  --connect-timeout MS   (20000)
  --instances K          hubs sharing one database and Redis (1): the backlog is stored through the last, the big
                         uid connects to the first, the others spread over all, producers round-robin over all
  --client-protocol P    frames (asks the hub for "messages" frames) or message (frames); both are taken either way
  --database-url URL     admin database; the run creates and drops its own beside it
  --redis-url URL        (redis://127.0.0.1:6379); --redis  make the hub use Redis
  --hub-env KEY=VALUE    extra env for the hub (repeatable)
  --hub-node-flag FLAG   extra Node flag for the hub (repeatable; e.g. --hub-node-flag=--cpu-prof)
  --hub-dist             the hub runs compiled (dist/server/main.js: \`npm run build\` first), as in production
  --out DIR              results directory (loadtest/results); --no-report  skip the files
  --name LABEL           name of the result files;  --quiet  no progress line`;

export function parseBacklogOptions(argv: string[]): BacklogOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      ...sharedFlags,
      backlog: { type: "string" }, others: { type: "string" }, rate: { type: "string" }, before: { type: "string" },
      "drain-timeout": { type: "string" }, settle: { type: "string" }, "fill-batch": { type: "string" }, "msg-bytes": { type: "string" },
      "connect-timeout": { type: "string" }, instances: { type: "string" },
    },
  });
  if (values.help) {
    console.log(backlogUsage);
    process.exit(0);
  }
  const input: BacklogInput = {
    ...sharedInput(values),
    backlog: values.backlog, others: values.others, rate: values.rate, beforeSec: values.before, drainTimeoutSec: values["drain-timeout"],
    settleSec: values.settle, fillBatch: values["fill-batch"], msgBytes: values["msg-bytes"], connectTimeoutMs: values["connect-timeout"],
    instances: values.instances,
  };
  return validateOptions(backlogOptionsSchema, input);
}
