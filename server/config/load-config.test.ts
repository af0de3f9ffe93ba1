import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError } from "./config-error.ts";
import { loadConfig } from "./load-config.ts";

test("development defaults follow the contract", () => {
  const c = loadConfig({});
  assert.equal(c.env, "development");
  assert.equal(c.port, 9501);
  assert.equal(c.host, "0.0.0.0");
  assert.equal(c.drainCron, "* * * * * *");
  assert.equal(c.drainBatch, 300);
  assert.equal(c.ackTimeoutMs, 5000);
  assert.equal(c.messageMaxBytes, 65536);
  assert.equal(c.trustProxy, false);
  assert.deepEqual(c.apiKeys, ["dev-key"]);
  assert.equal(c.databaseUrl, undefined);
});

test("environment variables override files", () => {
  const c = loadConfig({ NODE_ENV: "test", PORT: "1234", HUB_API_KEYS: "key-one-123, key-two-456", TRUST_PROXY: "true" });
  assert.equal(c.port, 1234);
  assert.deepEqual(c.apiKeys, ["key-one-123", "key-two-456"]);
  assert.equal(c.trustProxy, true);
});

test("every bad key is named", () => {
  assert.throws(
    () => loadConfig({ PORT: "http", DRAIN_BATCH: "0", REDIS_URL: "localhost" }),
    (e: unknown) =>
      e instanceof ConfigError &&
      ["PORT", "DRAIN_BATCH", "REDIS_URL"].every((k) => e.problems.some((p) => p.startsWith(`${k}:`))),
  );
});

test("production refuses to start without its secrets", () => {
  assert.throws(
    () => loadConfig({ NODE_ENV: "production" }),
    (e: unknown) =>
      e instanceof ConfigError &&
      ["DATABASE_URL", "HUB_JWT_SECRET", "HUB_API_KEYS"].every((k) => e.problems.some((p) => p.startsWith(`${k}:`))),
  );
  const ok = loadConfig({
    NODE_ENV: "production",
    DATABASE_URL: "postgresql://db/x",
    HUB_JWT_SECRET: "a-long-production-secret",
    HUB_API_KEYS: "prod-key-0123456789",
  });
  assert.equal(ok.demo, false);
});

test("unknown NODE_ENV is rejected", () => {
  assert.throws(() => loadConfig({ NODE_ENV: "staging" }), ConfigError);
});
