import { createServer, type RequestListener, type Server } from "node:http";
import type { Logger } from "pino";
import type { Config } from "../config/config-schema.ts";
import { capConnections } from "./cap-connections.ts";
import { httpServerOptions } from "./http-server-options.ts";

type HttpConfig = Pick<Config, "httpHeadersTimeoutMs" | "httpRequestTimeoutMs" | "maxConnections">;

/**
 * An HTTP server with the hub's header and body timeouts and, given `cap`, at most MAX_CONNECTIONS
 * connections (the public listener; the monitoring one is on a private address).
 */
export function createHttpServer(config: HttpConfig, listener: RequestListener, cap?: { logger: Logger; onRefused: () => void }): Server {
  const server = createServer(httpServerOptions(config), listener);
  if (cap) capConnections(server, { max: config.maxConnections, ...cap });
  return server;
}
