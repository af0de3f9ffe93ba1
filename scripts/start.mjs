#!/usr/bin/env node
// `npm start`. NODE_ENV=production runs the compiled hub (dist/, from `npm run build`), building it
// first when it is missing or older than the sources and TypeScript is installed. Development and
// test run the TypeScript sources through tsx. Variables from ./.env count (the environment wins).
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
if (existsSync(".env")) process.loadEnvFile(".env");

if (process.env.NODE_ENV === "production") {
  const entry = join(root, "dist", "server", "main.js");
  if (!builtFromCurrentSources(entry)) build(entry);
  await import(pathToFileURL(entry).href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import(pathToFileURL(join(root, "server", "main.ts")).href);
}

function builtFromCurrentSources(entry) {
  if (!existsSync(entry)) return false;
  const builtAt = statSync(entry).mtimeMs;
  const sources = ["server", "config"].flatMap((dir) =>
    readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && e.name.endsWith(".ts"))
      .map((e) => join(e.parentPath ?? e.path, e.name)),
  );
  return sources.every((file) => statSync(file).mtimeMs <= builtAt);
}

function build(entry) {
  let tsc;
  try {
    tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  } catch {
    const why = existsSync(entry) ? "is older than the sources" : "is missing";
    process.stderr.write(`push-hub: the compiled hub (dist/) ${why} and TypeScript is not installed: run \`npm run build\` where it is\n`);
    process.exit(1);
  }
  process.stderr.write("push-hub: compiling to dist/ (npm run build)…\n");
  const r = spawnSync(process.execPath, [tsc, "-p", join(root, "tsconfig.build.json")], { cwd: root, stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
