import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The operator-facing http-context config; rendering keeps everything in it but the instances and `listen`. */
export const TEMPLATE_PATH = fileURLToPath(new URL("./push-hub.conf", import.meta.url));

export interface NginxRenderOptions {
  /** Port nginx listens on. */
  listenPort: number;
  /** Interface nginx listens on (default 127.0.0.1). */
  listenHost?: string;
  /** Hub instances: ports on 127.0.0.1, or `host:port`. */
  upstreams: readonly (number | string)[];
  /** Absolute directory every runtime path defaults to (nginx -p <prefixDir>). */
  prefixDir: string;
  pidFile?: string;
  errorLog?: string;
  /** Access log path, or false for none. Default: <prefix>/logs/access.log with the upstream per line. */
  accessLog?: string | false;
  /** Existing parent of the client-body/proxy temp dirs, which nginx creates (default: the prefix). */
  tempDir?: string;
  workerProcesses?: number | "auto";
  workerConnections?: number;
  /** http-context template text (default: nginx/push-hub.conf). */
  template?: string;
}

const SERVERS = /^([ \t]*)# servers:begin\n[\s\S]*?^[ \t]*# servers:end\n/m;
const LISTEN = /^([ \t]*)listen [^;]+; # render:listen$/m;

function upstreamLine(u: number | string): string {
  const address = typeof u === "number" ? `127.0.0.1:${u}` : u;
  if (!/^[A-Za-z0-9.\-:[\]]+:\d+$/.test(address)) throw new Error(`invalid upstream address: ${address}`);
  return `server ${address} max_fails=1 fail_timeout=5s;`;
}

/** The http-context part: the template with these instances and this listen address. */
export function renderHttpBlock(o: Pick<NginxRenderOptions, "listenPort" | "listenHost" | "upstreams" | "template">): string {
  if (o.upstreams.length === 0) throw new Error("renderNginxConfig needs at least one upstream");
  const template = o.template ?? readFileSync(TEMPLATE_PATH, "utf8");
  if (!SERVERS.test(template) || !LISTEN.test(template)) {
    throw new Error("nginx template lacks the `# servers:begin/end` or `# render:listen` markers");
  }
  return template
    .replace(SERVERS, (_m, indent: string) => o.upstreams.map((u) => `${indent}${upstreamLine(u)}\n`).join(""))
    .replace(LISTEN, (_m, indent: string) => `${indent}listen ${o.listenHost ?? "127.0.0.1"}:${o.listenPort};`);
}

/**
 * A standalone nginx.conf that needs no root paths: run it with
 * `nginx -p <prefixDir> -c <prefixDir>/nginx.conf -e <errorLog> -g 'daemon off;'`.
 * (`-e` keeps nginx ≥ 1.19.5 from touching the compiled-in error log before it reads this file.)
 */
export function renderNginxConfig(o: NginxRenderOptions): string {
  const p = (name: string) => join(o.prefixDir, name);
  const temp = o.tempDir ?? o.prefixDir;
  const errorLog = o.errorLog ?? p("logs/error.log");
  const accessLog = o.accessLog === undefined ? p("logs/access.log") : o.accessLog;
  const http = renderHttpBlock(o)
    .split("\n")
    .map((line) => (line.length > 0 ? `    ${line}` : line))
    .join("\n");
  return `# Rendered by nginx/render-config.ts from nginx/push-hub.conf — do not edit.
worker_processes ${o.workerProcesses ?? 1};
pid ${o.pidFile ?? p("nginx.pid")};
error_log ${errorLog} warn;
worker_shutdown_timeout 5s;

events {
    worker_connections ${o.workerConnections ?? 4096};
}

http {
    default_type application/octet-stream;
    log_format push_hub '$remote_addr -> $upstream_addr "$request" $status $request_time';
    access_log ${accessLog === false ? "off" : `${accessLog} push_hub`};
    client_body_temp_path ${temp}/client_body_temp;
    proxy_temp_path ${temp}/proxy_temp;
    fastcgi_temp_path ${temp}/fastcgi_temp;
    uwsgi_temp_path ${temp}/uwsgi_temp;
    scgi_temp_path ${temp}/scgi_temp;

${http}
}
`;
}
