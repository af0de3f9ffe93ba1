import { createRequire } from "node:module";
import pino, { type Logger, type LoggerOptions } from "pino";

export interface LoggerSettings {
  level: string;
  /** pretty: human lines through pino-pretty (a development dependency); json otherwise, or when it is not installed. */
  format: "json" | "pretty";
  name?: string;
}

/** Structured logs. Credentials are redacted wherever they might appear; bodies are never logged. */
export function createLogger({ level, format, name = "push-hub" }: LoggerSettings): Logger {
  const options: LoggerOptions = {
    name,
    level,
    redact: {
      paths: ["authorization", "token", "apiKey", "*.authorization", "*.token", "*.apiKey", "req.headers.authorization"],
      censor: "[redacted]",
    },
  };
  if (format === "pretty" && prettyInstalled()) {
    options.transport = { target: "pino-pretty", options: { translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname,name" } };
  }
  return pino(options);
}

function prettyInstalled(): boolean {
  try {
    createRequire(import.meta.url).resolve("pino-pretty");
    return true;
  } catch {
    return false;
  }
}
