import type { Config } from "./config-schema.ts";

/** localhost, ::1 and 127.0.0.0/8: only this machine can reach a listener there. */
function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  return h === "localhost" || h === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** The variables that replace a built-in development value, and what that value is. */
const BUILT_INS = [
  { variable: "HUB_JWT_SECRET", what: "the built-in development JWT secret" },
  { variable: "HUB_API_KEYS", what: "the built-in API key dev-key" },
] as const;

interface Exposure {
  /** Start-up errors, one per refused built-in value. */
  problems: string[];
  /** Whether POST /api/dev/token may be mounted. */
  devToken: boolean;
  /** Whether the demo page may be served. */
  demo: boolean;
}

/**
 * NODE_ENV unset means development, so a deployment that sets DATABASE_URL and forgets NODE_ENV would
 * run with public secrets and a route that mints a token for any uid. A development hub is therefore
 * "exposed" when it uses an external database and listens beyond loopback: there it refuses the
 * built-in secrets, drops the dev-token route, and serves the demo only when HUB_DEMO asks for it.
 * The embedded database or a loopback HOST keeps the zero-setup experience; NODE_ENV=test is an
 * explicit choice and keeps its built-ins.
 */
export function checkExposure(
  c: Pick<Config, "env" | "databaseUrl" | "host" | "demo">,
  explicit: (variable: string) => boolean,
): Exposure {
  if (c.env === "production") return { problems: [], devToken: false, demo: c.demo };
  const exposed = c.env === "development" && c.databaseUrl !== undefined && !isLoopbackHost(c.host);
  if (!exposed) return { problems: [], devToken: true, demo: c.demo };
  const problems = BUILT_INS.filter((b) => !explicit(b.variable)).map(
    (b) =>
      `${b.variable}: ${b.what} is refused for a development hub on HOST ${c.host} with an external DATABASE_URL; ` +
      `set ${b.variable}, or HOST=127.0.0.1, or NODE_ENV=production`,
  );
  return { problems, devToken: false, demo: c.demo && explicit("HUB_DEMO") };
}

/** Development's default origins: the demo page's own, by either loopback name. */
export function developmentOrigins(port: number): string[] {
  return [`http://localhost:${port}`, `http://127.0.0.1:${port}`];
}
