#!/usr/bin/env node
// `npm start`. NODE_ENV=production runs the compiled hub (dist/, from `npm run build`), building it
// first when it is missing or older than the sources and the build tools (dev dependencies) are here,
// else saying in one line how to build it. Development and
// test run the TypeScript sources through tsx. Variables from ./.env count (the environment wins).
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
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
  const tsx = await import("tsx/esm/api").catch(() => null);
  if (tsx === null) {
    process.stderr.write(
      "push-hub: development runs the TypeScript sources through tsx, a dev dependency that is not installed: " +
        "run `npm install`, or start the compiled hub with NODE_ENV=production (docs/deploy.md)\n",
    );
    process.exit(1);
  }
  tsx.register();
  await import(pathToFileURL(join(root, "server", "main.ts")).href);
}

function builtFromCurrentSources(entry) {
  if (!existsSync(entry)) return false;
  const builtAt = statSync(entry).mtimeMs;
  // A deployment may ship dist/ without the TypeScript sources (docs/deploy.md): then there is nothing to compare.
  const sources = ["server", "config"]
    .filter((dir) => existsSync(join(root, dir)))
    .flatMap((dir) =>
      readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile() && e.name.endsWith(".ts"))
        .map((e) => join(e.parentPath ?? e.path, e.name)),
    );
  return sources.every((file) => statSync(file).mtimeMs <= builtAt);
}

/**
 * Compiles dist/ when the build tooling is here. A production install (`NODE_ENV=production npm ci`,
 * `npm ci --omit=dev`) has no dev dependencies — TypeScript may still be there (other packages bring it)
 * but the type packages are not — so compiling would only print pages of errors: say what to do instead.
 */
function build(entry) {
  const missing = missingBuildTools();
  if (missing.length > 0) {
    const why = existsSync(entry) ? "is older than the sources" : "is missing";
    process.stderr.write(
      `push-hub: the compiled hub (dist/) ${why} and this install cannot build it (no ${missing.join(", ")}: dev dependencies are not installed). ` +
        "Build where they are: `npm ci && npm run build`, then `npm prune --omit=dev`, and ship dist/ (docs/deploy.md).\n",
    );
    process.exit(1);
  }
  process.stderr.write("push-hub: compiling to dist/ (npm run build)…\n");
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  const r = spawnSync(process.execPath, [tsc, "-p", join(root, "tsconfig.build.json")], { cwd: root, stdio: "inherit" });
  if (r.status !== 0) {
    process.stderr.write("push-hub: `npm run build` failed (above); fix it, or build elsewhere and ship dist/\n");
    process.exit(r.status ?? 1);
  }
}

/** The dev dependencies `npm run build` needs (TypeScript and the type packages) that are not installed. */
function missingBuildTools() {
  const { devDependencies = {} } = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  const needed = Object.keys(devDependencies).filter((name) => name === "typescript" || name.startsWith("@types/"));
  const require = createRequire(join(root, "package.json"));
  return needed.filter((name) => {
    try {
      require.resolve(`${name}/package.json`);
      return false;
    } catch {
      return true;
    }
  });
}
