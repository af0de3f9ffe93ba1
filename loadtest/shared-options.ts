/**
 * What both load-test command lines (main.ts, backlog-main.ts) take alike: the database, Redis, hub
 * env, client protocol and output options, their flags, and the validation step.
 */
import { z } from "zod";
import { CLIENT_PROTOCOLS, type ClientProtocol } from "./delivery-events.ts";

export const intIn = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const sharedOptionFields = {
  databaseAdminUrl: z.string().regex(/^postgres(ql)?:\/\//).default("postgresql://postgres@127.0.0.1:5432/postgres"),
  redisUrl: z.string().regex(/^rediss?:\/\//).default("redis://127.0.0.1:6379"),
  forceRedis: z.boolean().default(false),
  hubEnv: z.record(z.string(), z.string()).default({}),
  /** extra Node flags for started hubs only (`--cpu-prof`, which NODE_OPTIONS refuses); the baseline keeps the shared ones */
  hubNodeFlags: z.array(z.string().regex(/^--[a-z][a-z0-9-]*(=\S+)?$/, "a node flag: --name or --name=value")).default([]),
  /** started hubs run the compiled hub (dist/server/main.js, `npm run build`), as production does, not the sources through tsx */
  hubDist: z.boolean().default(false),
  /** what clients ask for in the handshake (delivery-events.ts); the baseline ignores it */
  clientProtocol: z.enum(CLIENT_PROTOCOLS).default("frames"),
  outDir: z.string().nullable().default("loadtest/results"),
  name: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/).optional(),
  quiet: z.boolean().default(false),
};

/** node:util parseArgs specs of the shared flags (plus --help). */
export const sharedFlags = {
  "database-url": { type: "string" }, "redis-url": { type: "string" }, redis: { type: "boolean" },
  "hub-env": { type: "string", multiple: true }, "hub-node-flag": { type: "string", multiple: true }, "hub-dist": { type: "boolean" }, "client-protocol": { type: "string" }, out: { type: "string" }, "no-report": { type: "boolean" },
  name: { type: "string" }, quiet: { type: "boolean" }, help: { type: "boolean", short: "h" },
} as const;

interface SharedFlagValues {
  "database-url"?: string;
  "redis-url"?: string;
  redis?: boolean;
  "hub-env"?: string[];
  "hub-node-flag"?: string[];
  "hub-dist"?: boolean;
  "client-protocol"?: string;
  out?: string;
  "no-report"?: boolean;
  name?: string;
  quiet?: boolean;
}

/** Repeated `--hub-env KEY=VALUE` → env record. */
function parseHubEnv(pairs: string[] | undefined): Record<string, string> {
  const hubEnv: Record<string, string> = {};
  for (const kv of pairs ?? []) {
    const i = kv.indexOf("=");
    if (i <= 0) throw new Error(`--hub-env expects KEY=VALUE, got "${kv}"`);
    hubEnv[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return hubEnv;
}

export function sharedInput(values: SharedFlagValues) {
  return {
    databaseAdminUrl: values["database-url"], redisUrl: values["redis-url"], forceRedis: values.redis, hubEnv: parseHubEnv(values["hub-env"]),
    hubNodeFlags: values["hub-node-flag"], hubDist: values["hub-dist"],
    // checked by the schema like every other value
    clientProtocol: values["client-protocol"] as ClientProtocol | undefined,
    outDir: values["no-report"] ? null : values.out, name: values.name, quiet: values.quiet,
  };
}

/** Flags not given fall back to the schema's defaults; every problem is listed in the error. */
export function validateOptions<S extends z.ZodType>(schema: S, input: Record<string, unknown>): z.output<S> {
  const parsed = schema.safeParse(Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)));
  if (!parsed.success) {
    throw new Error(`invalid options:\n${parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n")}`);
  }
  return parsed.data;
}
