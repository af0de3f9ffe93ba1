import Router from "@koa/router";
import { readFileSync } from "node:fs";
import { fromRoot } from "../../project-paths.ts";

/** No inline script or style anywhere on the page, so the policy can forbid both. */
const DEMO_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self' ws: wss:; " +
  "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

const FILES = [
  { path: "/", file: "index.html", type: "text/html; charset=utf-8" },
  { path: "/demo.js", file: "demo.js", type: "text/javascript; charset=utf-8" },
  { path: "/demo-topic.js", file: "demo-topic.js", type: "text/javascript; charset=utf-8" },
  { path: "/demo.css", file: "demo.css", type: "text/css; charset=utf-8" },
] as const;

/**
 * The demo page (GET /, /demo.js, /demo-topic.js, /demo.css). demo.js is an ES module on the client SDK the hub serves
 * at /client/index.js, which imports Socket.IO's client from the hub's own /socket.io/socket.io.esm.min.js,
 * so Socket.IO must keep `serveClient` on. Files are read once here.
 */
export function createDemoRoutes(): Router {
  const router = new Router();
  for (const { path, file, type } of FILES) {
    const body = readFileSync(fromRoot("server", "api", "demo", file));
    router.get(path, (ctx) => {
      ctx.set({
        "Content-Security-Policy": DEMO_CSP,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-cache",
      });
      ctx.type = type;
      ctx.body = body;
    });
  }
  return router;
}
