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

test("a development hub on an external database and a public host refuses the built-in secrets", () => {
  const env = { DATABASE_URL: "postgresql://db.internal/hub", HOST: "0.0.0.0" };
  assert.throws(
    () => loadConfig(env),
    (e: unknown) =>
      e instanceof ConfigError && /HUB_JWT_SECRET: the built-in development JWT secret is refused/.test(e.message) &&
      /HUB_API_KEYS: the built-in API key dev-key is refused/.test(e.message) && /HOST=127\.0\.0\.1/.test(e.message),
  );
  const c = loadConfig({ ...env, HUB_JWT_SECRET: "a-real-secret-of-length", HUB_API_KEYS: "a-real-producer-key" });
  assert.equal(c.devToken, false, "no route mints tokens on an exposed hub");
  assert.equal(c.demo, false, "the demo is off unless HUB_DEMO asks for it");
  assert.equal(loadConfig({ ...env, HUB_JWT_SECRET: "a-real-secret-of-length", HUB_API_KEYS: "k", HUB_DEMO: "true" }).demo, true);
});

test("the embedded database, a loopback host or NODE_ENV=test keep the development built-ins", () => {
  for (const env of [
    {},
    { DATABASE_URL: "postgresql://127.0.0.1/hub", HOST: "127.0.0.1" },
    { DATABASE_URL: "postgresql://127.0.0.1/hub", HOST: "localhost" },
    { DATABASE_URL: "postgresql://127.0.0.1/hub", HOST: "::1" },
    { DATABASE_URL: "postgresql://127.0.0.1/hub", HOST: "0.0.0.0", NODE_ENV: "test" },
  ]) {
    const c = loadConfig(env);
    assert.equal(c.devToken, true, JSON.stringify(env));
    assert.deepEqual(c.apiKeys, ["dev-key"]);
  }
  assert.equal(loadConfig({}).demo, true);
  assert.equal(loadConfig({ NODE_ENV: "production", DATABASE_URL: "postgresql://h/d", HUB_JWT_SECRET: "s".repeat(32), HUB_API_KEYS: "k".repeat(16) }).devToken, false);
});

test("allowed origins: the demo's own in development, none in production, each one checked", () => {
  assert.deepEqual(loadConfig({ PORT: "8080" }).allowedOrigins, ["http://localhost:8080", "http://127.0.0.1:8080"]);
  const prod = { NODE_ENV: "production", DATABASE_URL: "postgresql://h/d", HUB_JWT_SECRET: "s".repeat(32), HUB_API_KEYS: "k".repeat(16) };
  assert.deepEqual(loadConfig(prod).allowedOrigins, []);
  assert.deepEqual(loadConfig({ ...prod, ALLOWED_ORIGINS: "https://app.example.com, http://localhost:3000" }).allowedOrigins, [
    "https://app.example.com",
    "http://localhost:3000",
  ]);
  assert.throws(() => loadConfig({ ALLOWED_ORIGINS: "app.example.com/path" }), /ALLOWED_ORIGINS: each must be/);
});

test("the limits of this issue: defaults, durations, and what is refused", () => {
  const c = loadConfig({ NODE_ENV: "test" });
  assert.equal(c.inboxPoolSize, 4);
  assert.equal(c.inboxMaxPerUid, 2);
  assert.equal(c.syncPageMaxBytes, 1024 * 1024);
  assert.equal(c.httpHeadersTimeoutMs, 10_000);
  assert.equal(c.httpRequestTimeoutMs, 30_000);
  assert.equal(c.maxConnections, 15_000);
  assert.equal(c.jwtMaxTtl, 86_400_000);
  assert.equal(c.jwtAudience, undefined);
  const set = loadConfig({ NODE_ENV: "test", HUB_JWT_MAX_TTL: "12h", HUB_JWT_AUDIENCE: "push-hub", HUB_JWT_ISSUER: "https://auth.example.com" });
  assert.equal(set.jwtMaxTtl, 12 * 3_600_000);
  assert.equal(set.jwtAudience, "push-hub");
  assert.equal(set.jwtIssuer, "https://auth.example.com");
  assert.throws(
    () =>
      loadConfig({
        NODE_ENV: "test",
        INBOX_POOL_SIZE: "0",
        INBOX_MAX_PER_UID: "x",
        SYNC_PAGE_MAX_BYTES: "100",
        MAX_CONNECTIONS: "0",
        HUB_JWT_MAX_TTL: "10s",
        HTTP_HEADERS_TIMEOUT_MS: "500",
      }),
    (e: unknown) =>
      e instanceof ConfigError &&
      ["INBOX_POOL_SIZE", "INBOX_MAX_PER_UID", "SYNC_PAGE_MAX_BYTES", "MAX_CONNECTIONS", "HUB_JWT_MAX_TTL", "HTTP_HEADERS_TIMEOUT_MS"].every((k) =>
        e.problems.some((p) => p.startsWith(`${k}:`)),
      ),
  );
  assert.throws(
    () => loadConfig({ NODE_ENV: "test", HTTP_HEADERS_TIMEOUT_MS: "20000", HTTP_REQUEST_TIMEOUT_MS: "10000" }),
    /HTTP_HEADERS_TIMEOUT_MS: must be ≤ HTTP_REQUEST_TIMEOUT_MS/,
  );
});

test("TOPIC_FANOUT_DUTY: 1 by default, a share above 0 and at most 1", () => {
  assert.equal(loadConfig({ NODE_ENV: "test" }).topicFanOutDuty, 1);
  assert.equal(loadConfig({ NODE_ENV: "test", TOPIC_FANOUT_DUTY: "0.5" }).topicFanOutDuty, 0.5);
  assert.throws(() => loadConfig({ NODE_ENV: "test", TOPIC_FANOUT_DUTY: "0" }), /TOPIC_FANOUT_DUTY: must be above 0/);
  assert.throws(() => loadConfig({ NODE_ENV: "test", TOPIC_FANOUT_DUTY: "1.5" }), /TOPIC_FANOUT_DUTY: must be at most 1/);
  assert.throws(() => loadConfig({ NODE_ENV: "test", TOPIC_FANOUT_DUTY: "half" }), /TOPIC_FANOUT_DUTY/);
});
