import pino, { type Logger } from "pino";

/** Structured JSON logs. Credentials are redacted wherever they might appear; bodies are never logged. */
export function createLogger(level: string, name = "push-hub"): Logger {
  return pino({
    name,
    level,
    redact: {
      paths: ["authorization", "token", "apiKey", "*.authorization", "*.token", "*.apiKey", "req.headers.authorization"],
      censor: "[redacted]",
    },
  });
}
