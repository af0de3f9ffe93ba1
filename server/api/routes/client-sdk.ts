import Router from "@koa/router";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fromRoot } from "../../project-paths.ts";

/** Where the hub's own Socket.IO server serves socket.io-client as an ES module (serveClient). */
const SOCKET_IO_ESM = "/socket.io/socket.io.esm.min.js";

/**
 * GET /client/<module>.js: the client SDK (`client/`, built to client/dist by `npm install`) as browser
 * ES modules, so a page can `import { connect } from "/client/index.js"` with no bundler. Its one bare
 * import, "socket.io-client", is pointed at the copy the hub's Socket.IO serves. Read once at start;
 * no route when the SDK is not built.
 */
export function createClientSdkRoutes(dir = fromRoot("client", "dist")): Router {
  const router = new Router();
  if (!existsSync(dir)) return router;
  const modules = new Map<string, string>();
  for (const file of readdirSync(dir)) {
    if (!file.endsWith(".js")) continue;
    const source = readFileSync(join(dir, file), "utf8").replace(/from\s+["']socket\.io-client["']/g, `from "${SOCKET_IO_ESM}"`);
    modules.set(file, source.replace(/\n\/\/# sourceMappingURL=.*$/m, ""));
  }
  router.get("/client/:file", (ctx) => {
    const body = modules.get(ctx.params.file ?? "");
    if (body === undefined) return; // falls through to not_found
    ctx.set({ "Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff" });
    ctx.type = "text/javascript; charset=utf-8";
    ctx.body = body;
  });
  return router;
}
