#!/usr/bin/env node
// Runs the Prisma CLI with the given arguments. On machines that cannot download Prisma's native
// schema engine, a drop-in engine may sit at ../shared/prisma-engine/schema-engine beside the
// checkout; when it exists (and nothing else was chosen) it is used. Elsewhere Prisma behaves as usual.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

export function prismaEnv(env = process.env) {
  const out = { ...env, CHECKPOINT_DISABLE: "1", PRISMA_HIDE_UPDATE_MESSAGE: "1" };
  const shim = resolve(root, "..", "shared", "prisma-engine", "schema-engine");
  if (!out.PRISMA_SCHEMA_ENGINE_BINARY && existsSync(shim)) out.PRISMA_SCHEMA_ENGINE_BINARY = shim;
  return out;
}

export function prismaBin() {
  const require = createRequire(import.meta.url);
  return resolve(dirname(require.resolve("prisma/package.json")), "build", "index.js");
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const r = spawnSync(process.execPath, [prismaBin(), ...process.argv.slice(2)], {
    cwd: root,
    env: prismaEnv(),
    stdio: "inherit",
  });
  process.exit(r.status ?? 1);
}
