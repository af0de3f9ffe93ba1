/** Command line of the durable topic publish scenario (`npm run loadtest:topic -- …`) → bounded options. */
import { parseArgs } from "node:util";
import { z } from "zod";
import { intIn, sharedFlags, sharedInput, sharedOptionFields, validateOptions } from "./shared-options.ts";

/** uids per PUT /api/topics/:topic/subscribers (the route's own maximum) */
export const SUBSCRIBE_CALL_UIDS = 10_000;

export const topicOptionsSchema = z
  .object({
    subscribers: intIn(1, 1_000_000).default(100_000),
    // every socket is a file descriptor of the hub, which is capped at 20,000 open files
    online: intIn(1, 19_000).default(5000),
    directRate: z.coerce.number().min(0).max(10_000).default(200),
    directUsers: intIn(1, 5000).default(200),
    directBeforeSec: z.coerce.number().min(0).max(600).default(5),
    publishes: intIn(1, 100).default(1),
    msgBytes: intIn(0, 60_000).default(0),
    fanOutTimeoutSec: z.coerce.number().min(1).max(1800).default(300),
    receiptTimeoutSec: z.coerce.number().min(1).max(600).default(30),
    connectRatePerSec: z.coerce.number().positive().max(100_000).default(1000),
    connectTimeoutMs: intIn(1000, 600_000).default(60_000),
    workers: intIn(0, 16).default(0),
    sourceAddresses: intIn(-1, 254).default(-1),
    ...sharedOptionFields,
  })
  .superRefine((o, ctx) => {
    if (o.online > o.subscribers) ctx.addIssue({ code: "custom", path: ["online"], message: "--online cannot exceed --subscribers (each online client is a distinct subscribed uid)" });
    if (o.online + o.directUsers > 19_000) ctx.addIssue({ code: "custom", path: ["directUsers"], message: "online + direct users above 19,000 would hit the hub's open-files cap" });
    if (o.workers > 0 && o.online / o.workers > 19_000) ctx.addIssue({ code: "custom", path: ["workers"], message: "more than 19,000 clients per worker would hit the open-files cap" });
    if (o.subscribers * o.publishes > 5_000_000) ctx.addIssue({ code: "custom", path: ["publishes"], message: "subscribers × publishes is capped at 5,000,000 recipient rows" });
    if (o.directRate > 0 && o.directRate * directSecondsBound(o) > 5_000_000) {
      ctx.addIssue({ code: "custom", path: ["directRate"], message: "direct rate × (before + publishes × (fan-out timeout + receipt timeout)) is capped at 5,000,000 messages" });
    }
  });

export type TopicOptions = z.output<typeof topicOptionsSchema>;
export type TopicInput = z.input<typeof topicOptionsSchema>;

/** The longest the direct traffic can run: it stops once the last publish was received (or timed out). */
export function directSecondsBound(o: Pick<TopicOptions, "directBeforeSec" | "publishes" | "fanOutTimeoutSec" | "receiptTimeoutSec">): number {
  return o.directBeforeSec + o.publishes * (o.fanOutTimeoutSec + o.receiptTimeoutSec + 5) + 30;
}

/** Client worker processes: as given, else one per 5,000 online clients. */
export function topicWorkerCount(o: Pick<TopicOptions, "workers" | "online">): number {
  return o.workers > 0 ? Math.min(o.workers, o.online) : Math.min(8, Math.ceil(o.online / 5000));
}

/** Source addresses 127.0.N.1 for the online clients: as given (0 = the OS picks), else one per 1,000 clients. */
export function topicSourceAddresses(o: Pick<TopicOptions, "sourceAddresses" | "online">): number {
  return o.sourceAddresses >= 0 ? o.sourceAddresses : Math.min(250, Math.ceil(o.online / 1000));
}

export const topicUsage = `npm run loadtest:topic -- [options]
One hub (fresh database, dropped afterwards). N uids are subscribed to one topic, K of them connect, D other
(unsubscribed) users get direct traffic; then P durable topic publishes, one after the other.
  --subscribers N        uids subscribed to the topic, in calls of ${SUBSCRIBE_CALL_UIDS} (100000; at most 1000000)
  --online K             subscribed uids that connect, one client each (5000)
  --direct-rate R        direct msgs/s to the direct users, through POST /api/messages; 0 = none (200)
  --direct-users D       connected, unsubscribed users the direct traffic goes to (200)
  --direct-before S      seconds of direct traffic before the first publish (5)
  --publishes P          topic publishes, each once the previous one is done and received (1)
  --msg-bytes N          padding added to each topic message's msg (0)
  --fan-out-timeout S    give up on a publish's fan-out after S seconds (300)
  --receipt-timeout S    wait at most S seconds after the fan-out for every online client's receipt (30)
  --connect-rate N       client connects per second (1000)   --connect-timeout MS (60000)
  --workers W            client worker processes for the online clients (auto: one per 5,000)
  --source-addresses N   spread the online clients over 127.0.1.1 … 127.0.N.1 (auto: one per 1,000 clients)
  --client-protocol P    frames (asks the hub for "messages" frames) or message; both are taken either way
  --database-url URL     admin database; the run creates and drops its own beside it
  --redis-url URL        (redis://127.0.0.1:6379); --redis  make the hub use Redis
  --hub-env KEY=VALUE    extra env for the hub (repeatable; e.g. TOPIC_FANOUT_CHUNK=5000)
  --hub-node-flag FLAG   extra Node flag for the hub (repeatable; e.g. --hub-node-flag=--cpu-prof)
  --hub-dist             the hub runs compiled (dist/server/main.js: \`npm run build\` first), as in production
  --out DIR              results directory (loadtest/results); --no-report  skip the file
  --name LABEL           name of the result file;  --quiet  no progress line`;

export function parseTopicOptions(argv: string[]): TopicOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      ...sharedFlags,
      subscribers: { type: "string" }, online: { type: "string" }, "direct-rate": { type: "string" }, "direct-users": { type: "string" },
      "direct-before": { type: "string" }, publishes: { type: "string" }, "msg-bytes": { type: "string" }, "fan-out-timeout": { type: "string" },
      "receipt-timeout": { type: "string" }, "connect-rate": { type: "string" }, "connect-timeout": { type: "string" }, workers: { type: "string" },
      "source-addresses": { type: "string" },
    },
  });
  if (values.help) {
    console.log(topicUsage);
    process.exit(0);
  }
  const input: TopicInput = {
    ...sharedInput(values),
    subscribers: values.subscribers, online: values.online, directRate: values["direct-rate"], directUsers: values["direct-users"],
    directBeforeSec: values["direct-before"], publishes: values.publishes, msgBytes: values["msg-bytes"], fanOutTimeoutSec: values["fan-out-timeout"],
    receiptTimeoutSec: values["receipt-timeout"], connectRatePerSec: values["connect-rate"], connectTimeoutMs: values["connect-timeout"],
    workers: values.workers, sourceAddresses: values["source-addresses"],
  };
  return validateOptions(topicOptionsSchema, input);
}
