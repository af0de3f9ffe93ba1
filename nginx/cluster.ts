/**
 * Local scale-out trial: `npm run cluster -- --instances 3 [--port 8080] [--base-port 9501]`.
 * Starts N hub instances on consecutive ports (sharing DATABASE_URL and REDIS_URL from the environment)
 * and nginx in front of them, rendered from nginx/push-hub.conf. Ctrl-C stops everything. Kill one
 * instance by its pid (printed at start) to watch its clients fail over.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { renderNginxConfig } from "./render-config.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const { values } = parseArgs({
  options: {
    instances: { type: "string", default: "3" },
    port: { type: "string", default: "8080" },
    "base-port": { type: "string", default: "9501" },
  },
});
const instances = Number(values.instances);
const listenPort = Number(values.port);
const basePort = Number(values["base-port"]);
if (!Number.isInteger(instances) || instances < 1 || instances > 32) throw new Error("--instances must be 1..32");

const fail = (message: string): never => {
  process.stderr.write(`cluster: ${message}\n`);
  process.exit(1);
};
if (!process.env.DATABASE_URL) fail("DATABASE_URL is required (all instances share one PostgreSQL)");
if (!process.env.REDIS_URL && instances > 1) fail("REDIS_URL is required for more than one instance");

const migrate = spawnSync(process.execPath, ["scripts/prisma-cli.mjs", "migrate", "deploy"], { cwd: root, stdio: "inherit" });
if (migrate.status !== 0) fail("migration failed");

const children: { name: string; child: ChildProcess }[] = [];
let stopping = false;

const prefixLines = (name: string, stream: NodeJS.ReadableStream | null, out: NodeJS.WriteStream) => {
  let rest = "";
  stream?.on("data", (d: Buffer) => {
    const lines = (rest + d.toString()).split("\n");
    rest = lines.pop() ?? "";
    for (const line of lines) out.write(`[${name}] ${line}\n`);
  });
};

const run = (name: string, command: string, args: string[], env: NodeJS.ProcessEnv = process.env) => {
  const child = spawn(command, args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
  prefixLines(name, child.stdout, process.stdout);
  prefixLines(name, child.stderr, process.stderr);
  child.on("exit", (code, signal) => {
    if (!stopping) process.stderr.write(`cluster: ${name} (pid ${child.pid}) exited: ${code ?? signal}\n`);
  });
  children.push({ name, child });
  process.stdout.write(`cluster: ${name} pid ${child.pid}\n`);
  return child;
};

const ports = Array.from({ length: instances }, (_, i) => basePort + i);
for (const [i, port] of ports.entries()) {
  run(`hub-${i + 1}:${port}`, process.execPath, ["--import", "tsx", "server/main.ts"], {
    ...process.env,
    PORT: String(port),
    HOST: process.env.HOST ?? "127.0.0.1",
    TRUST_PROXY: process.env.TRUST_PROXY ?? "true",
  });
}

const prefixDir = mkdtempSync(join(tmpdir(), "push-hub-cluster-"));
chmodSync(prefixDir, 0o755); // nginx workers drop root and must reach their temp dirs
const errorLog = join(prefixDir, "error.log");
writeFileSync(join(prefixDir, "nginx.conf"), renderNginxConfig({ listenPort, upstreams: ports, prefixDir, errorLog, accessLog: false }));
run("nginx", process.env.NGINX_BIN ?? "nginx", ["-p", prefixDir, "-c", join(prefixDir, "nginx.conf"), "-e", errorLog, "-g", "daemon off;"]);
process.stdout.write(`cluster: nginx on http://127.0.0.1:${listenPort} → ${ports.map((p) => `:${p}`).join(" ")} (config in ${prefixDir})\n`);

const stopAll = async () => {
  if (stopping) {
    for (const { child } of children) child.kill("SIGKILL"); // second Ctrl-C
    return;
  }
  stopping = true;
  process.stdout.write("cluster: stopping…\n");
  await Promise.all(
    children.map(
      ({ child }) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const timer = setTimeout(() => child.kill("SIGKILL"), 15000);
          child.once("exit", () => (clearTimeout(timer), resolve()));
          child.kill("SIGTERM");
        }),
    ),
  );
  rmSync(prefixDir, { recursive: true, force: true });
  process.exit(0);
};
process.on("SIGINT", () => void stopAll());
process.on("SIGTERM", () => void stopAll());
