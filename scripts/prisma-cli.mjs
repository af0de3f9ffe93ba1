#!/usr/bin/env node
// Runs the Prisma CLI with the given arguments, without its update checks. Prisma fetches its schema
// engine as usual; a machine that cannot download it sets PRISMA_SCHEMA_ENGINE_BINARY (Prisma's own
// variable) to a local engine.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

function prismaBin() {
  const require = createRequire(import.meta.url);
  return resolve(dirname(require.resolve("prisma/package.json")), "build", "index.js");
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const r = spawnSync(process.execPath, [prismaBin(), ...process.argv.slice(2)], {
    cwd: root,
    env: { ...process.env, CHECKPOINT_DISABLE: "1", PRISMA_HIDE_UPDATE_MESSAGE: "1" },
    stdio: "inherit",
  });
  process.exit(r.status ?? 1);
}
