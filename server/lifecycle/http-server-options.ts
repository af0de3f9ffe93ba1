import type { ServerOptions } from "node:http";
import type { Config } from "../config/config-schema.ts";

/**
 * Node's defaults let a request take 300 s to arrive and its headers 60 s, checked every 30 s: a client
 * that stalls holds its connection for minutes. These close it within seconds (408), checking every second.
 * WebSocket connections are not affected: they leave the HTTP parser once upgraded.
 */
export const httpServerOptions = (config: Pick<Config, "httpHeadersTimeoutMs" | "httpRequestTimeoutMs">): ServerOptions => ({
  headersTimeout: config.httpHeadersTimeoutMs,
  requestTimeout: config.httpRequestTimeoutMs,
  connectionsCheckingInterval: 1000,
});
