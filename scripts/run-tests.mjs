#!/usr/bin/env node
// `npm test [-- filter…]`: every *.test.ts under server/, client/, loadtest/ and test/ (unit tests first),
// one file at a time, through node's test runner with tsx. Node 20's runner does not expand globs itself.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const find = (dir) =>
  readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".test.ts"))
    .map((e) => relative(root, join(e.parentPath ?? e.path, e.name)))
    .filter((f) => !f.includes("node_modules") && !f.includes("generated"))
    .sort();

const filters = process.argv.slice(2);
const files = [...find("server"), ...find("client"), ...find("loadtest"), ...find("test")].filter(
  (f) => filters.length === 0 || filters.some((x) => f.includes(x)),
);
if (files.length === 0) {
  console.error(`no test files match ${filters.join(" ")}`);
  process.exit(1);
}
// Machines that cannot download Prisma's schema engine (this project's CI machine) keep a drop-in one
// beside the checkout; the suite uses it when it is there and no engine was chosen.
const env = { ...process.env };
const localEngine = join(root, "..", "shared", "prisma-engine", "schema-engine");
if (!env.PRISMA_SCHEMA_ENGINE_BINARY && existsSync(localEngine)) env.PRISMA_SCHEMA_ENGINE_BINARY = localEngine;
const r = spawnSync(
  process.execPath,
  ["--import", "tsx", "--test", "--test-concurrency=1", "--test-timeout=600000", ...files],
  { cwd: root, stdio: "inherit", env },
);
process.exit(r.status ?? 1);
