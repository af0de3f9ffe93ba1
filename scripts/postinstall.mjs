#!/usr/bin/env node
// `npm install` / `npm ci`: generates the Prisma client, then builds the client SDK (client/dist) with
// the installed TypeScript. A production install (no dev dependencies) has no TypeScript: it skips the
// SDK build and says so.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

function run(args) {
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

run([join(root, "scripts", "prisma-cli.mjs"), "generate"]);

let tsc;
try {
  tsc = join(dirname(createRequire(import.meta.url).resolve("typescript/package.json")), "bin", "tsc");
} catch {
  console.error("postinstall: TypeScript is not installed (production install?): skipping the client SDK build (client/dist)");
  process.exit(0);
}
run([tsc, "-p", join(root, "client", "tsconfig.json")]);
