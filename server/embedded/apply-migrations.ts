import { spawn } from "node:child_process";
import type { Logger } from "pino";
import { fromRoot } from "../project-paths.ts";
import { MigrationError } from "./migration-error.ts";
import { pendingMigrations } from "./pending-migrations.ts";

const PRISMA_CLI = fromRoot("scripts", "prisma-cli.mjs");
const TIMEOUT_MS = 180_000;

/**
 * `prisma migrate deploy` against `databaseUrl` (through scripts/prisma-cli.mjs, which runs the Prisma
 * CLI without its update checks), skipped when the database
 * already has every local migration. Throws MigrationError with a human message; the CLI's full
 * output is in `details.output` and at debug level in the log.
 */
export async function applyMigrations(databaseUrl: string, logger: Logger): Promise<void> {
  const log = logger.child({ component: "migrations" });
  const started = Date.now();
  if ((await pendingMigrations(databaseUrl))?.length === 0) {
    log.info({ durationMs: Date.now() - started }, "database schema is up to date");
    return;
  }
  const { code, output, timedOut } = await run(databaseUrl);
  log.debug({ output }, "prisma migrate deploy output");
  if (timedOut) {
    throw new MigrationError(`Database migrations did not finish within ${TIMEOUT_MS / 1000} s`, { output });
  }
  if (code !== 0) throw explain(output);
  const applied = [...output.matchAll(/Applying migration `([^`]+)`/g)].map((m) => m[1]);
  log.info({ applied, durationMs: Date.now() - started }, applied.length > 0 ? "migrations applied" : "database schema is up to date");
}

function run(databaseUrl: string): Promise<{ code: number | null; output: string; timedOut: boolean }> {
  return new Promise((done, reject) => {
    const child = spawn(process.execPath, [PRISMA_CLI, "migrate", "deploy"], {
      env: { ...process.env, DATABASE_URL: databaseUrl, NO_COLOR: "1", FORCE_COLOR: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    let timedOut = false;
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, TIMEOUT_MS);
    child.once("error", (err) => {
      clearTimeout(timer);
      reject(new MigrationError(`Could not run the Prisma CLI for migrations: ${err.message}`, undefined, err));
    });
    child.once("close", (code) => {
      clearTimeout(timer);
      done({ code, output, timedOut });
    });
  });
}

/** Turns the CLI's output into one sentence a developer can act on. */
function explain(output: string): MigrationError {
  const prismaCode = /\b(P\d{4})\b/.exec(output)?.[1];
  const body = errorText(output) ?? lastMeaningfulLines(output);
  const hint = hintFor(prismaCode, output);
  const message = `Database migrations failed${prismaCode ? ` (${prismaCode})` : ""}: ${body}${hint ? ` — ${hint}` : ""}`;
  return new MigrationError(message, { ...(prismaCode ? { prismaCode } : {}), output });
}

/** What follows "Error: Pxxxx" (its own line and the paragraphs after it), minus "read more" links. */
function errorText(output: string): string | undefined {
  const lines = output.split("\n").map((l) => l.trim());
  const at = lines.findIndex((l) => l.startsWith("Error:"));
  if (at < 0) return undefined;
  const own = lines[at]!.replace(/^Error:\s*/, "").replace(/^P\d{4}:?\s*/, "");
  const text = [own, ...lines.slice(at + 1)]
    .map((l) => l.replace(/\s*Read more about [^:]*: https?:\/\/\S+/g, ""))
    .filter((l) => l.length > 0 && !l.startsWith("DbError {")) // the engine's debug dump of the same error
    .join(" · ");
  return text.length > 600 ? `${text.slice(0, 600)}…` : text || undefined;
}

function hintFor(prismaCode: string | undefined, output: string): string | undefined {
  if (prismaCode === "P1001" || prismaCode === "P1002") return "is the database running and DATABASE_URL right?";
  if (prismaCode === "P1000") return "check the user and password in DATABASE_URL";
  if (prismaCode === "P1003") return "the database named in DATABASE_URL does not exist";
  if (prismaCode === "P3009" || prismaCode === "P3018") return "fix the failed migration, then `npx prisma migrate resolve` it";
  if (prismaCode === "P3005") return "the database has tables but no migration history; use an empty database";
  if (/engine|binaries\.prisma\.sh|fetch/i.test(output)) {
    return "Prisma's schema engine is missing and could not be downloaded; point PRISMA_SCHEMA_ENGINE_BINARY at a local schema engine";
  }
  return undefined;
}

function lastMeaningfulLines(output: string): string {
  const lines = output.split("\n").map((l) => l.trim()).filter((l) => l.length > 0 && !/^(Loaded|Prisma schema|Datasource)/.test(l));
  return lines.slice(-3).join(" ") || "the Prisma CLI exited without saying why";
}
