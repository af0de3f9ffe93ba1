// `node --import <this> …` with TRACING_GUARD_REPORT=<file>: appends to the file every OpenTelemetry module
// (and the hub's server/tracing/ code, and the loader hooks tracing brings) the process loads, by `import`
// (a resolve hook) or by `require` (Module._resolveFilename), whoever asks. test/tracing.test.ts reads it.
import { appendFileSync } from "node:fs";
import Module, { register } from "node:module";
import { fileURLToPath } from "node:url";
import { isMainThread } from "node:worker_threads";

const report = process.env.TRACING_GUARD_REPORT;
const WATCHED = /[\\/]node_modules[\\/](@opentelemetry[\\/]|import-in-the-middle[\\/]|require-in-the-middle[\\/])|[\\/]server[\\/]tracing[\\/]/;
// prom-client requires @opentelemetry/api for exemplars (a no-op facade): that one is not the hub's doing.
const PROM_CLIENT_API = (file, parent) =>
  /[\\/]node_modules[\\/]@opentelemetry[\\/]api[\\/]/.test(file) && /[\\/]node_modules[\\/](prom-client|@opentelemetry[\\/]api)[\\/]/.test(parent ?? "");

const pathOf = (url) => (url?.startsWith("file:") ? fileURLToPath(url) : url);
function note(file, parent) {
  if (report && file && WATCHED.test(file) && !PROM_CLIENT_API(file, parent)) appendFileSync(report, `${file} <- ${parent ?? "?"}\n`);
}

/** The ESM resolve hook (runs on the loaders' thread). */
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  note(pathOf(resolved.url), pathOf(context.parentURL));
  return resolved;
}

if (isMainThread && report) {
  register(import.meta.url);
  const resolveFilename = Module._resolveFilename;
  Module._resolveFilename = function (request, parent, ...rest) {
    const file = resolveFilename.call(this, request, parent, ...rest);
    note(file, parent?.filename);
    return file;
  };
}
