/** A throwaway PostgreSQL database per load run: create, migrate with the project's Prisma CLI, drop. */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import pg from "pg";

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

async function adminQuery(adminUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function migrate(repoRoot: string, url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["scripts/prisma-cli.mjs", "migrate", "deploy"], {
      cwd: repoRoot,
      env: { ...process.env, DATABASE_URL: url },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`prisma migrate deploy failed (${code})\n${out.slice(-2000)}`))));
  });
}

/** `adminUrl` points at an existing database (e.g. …/postgres); the new one lives on the same server. */
export async function createTestDatabase(deps: { adminUrl: string; repoRoot: string }): Promise<TestDatabase> {
  const name = `pushhub_load_${randomBytes(5).toString("hex")}`;
  const url = new URL(deps.adminUrl);
  url.pathname = `/${name}`;
  await adminQuery(deps.adminUrl, `CREATE DATABASE "${name}"`);
  const db: TestDatabase = {
    name,
    url: url.toString(),
    drop: () => adminQuery(deps.adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
  try {
    await migrate(deps.repoRoot, db.url);
  } catch (err) {
    await db.drop().catch(() => undefined);
    throw err;
  }
  return db;
}
