import { freePort } from "../../loadtest/support/free-port.ts";
import { startHubProcess } from "../../loadtest/support/hub-process.ts";
import { startNginx, type NginxProcess } from "../../loadtest/support/nginx-process.ts";
import type { ServiceProcess } from "../../loadtest/support/service-process.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { TEST_REDIS_URL } from "../support/env.ts";
import { uniquePrefix } from "../support/test-hub.ts";

export interface ScaleCluster {
  db: TestDatabase;
  hubs: ServiceProcess[];
  nginx: NginxProcess | undefined;
  /** Each instance's environment (to restart one). */
  env: Record<string, string>;
  /** pushhub_connections of each instance (null for one that does not answer). */
  connections(): Promise<(number | null)[]>;
  stop(): Promise<void>;
}

export interface ScaleClusterOptions {
  label: string;
  instances: number;
  withNginx?: boolean;
  redisUrl?: string;
  /** Overrides DATABASE_URL given to the hubs (e.g. through a TCP proxy); the test database is still created. */
  databaseUrl?: (db: TestDatabase) => string;
  env?: Record<string, string>;
}

/** Short timeouts so redeliveries and lease expiries happen within a test's time. */
export const FAST_DELIVERY_ENV = {
  ACK_TIMEOUT_MS: "1000",
  LEASE_MARGIN_MS: "500",
  RETRY_BASE_MS: "200",
  RETRY_MAX_MS: "1000",
  TRUST_PROXY: "true",
};

export async function metricValue(url: string, name: string): Promise<number | null> {
  try {
    const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(2000) });
    const text = await res.text();
    const line = text.split("\n").find((l) => l.startsWith(`${name} `));
    return line ? Number(line.slice(name.length + 1)) : null;
  } catch {
    return null;
  }
}

/** A fresh database, N hub processes sharing it and one Redis prefix, and nginx in front of them. */
export async function startScaleCluster(o: ScaleClusterOptions): Promise<ScaleCluster> {
  const db = await createTestDatabase(o.label);
  const hubs: ServiceProcess[] = [];
  let nginx: NginxProcess | undefined;
  const env = {
    DATABASE_URL: o.databaseUrl ? o.databaseUrl(db) : db.url,
    REDIS_URL: o.redisUrl ?? TEST_REDIS_URL,
    REDIS_PREFIX: uniquePrefix(),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "warn",
    ...FAST_DELIVERY_ENV,
    ...o.env,
  };
  const stop = async () => {
    await nginx?.stop();
    await Promise.all(hubs.map((h) => h.stop("SIGTERM", 10000)));
    await db.drop();
  };
  try {
    const ports = await Promise.all(Array.from({ length: o.instances }, () => freePort()));
    const started = await Promise.allSettled(ports.map((p) => startHubProcess(p, env, { readyTimeoutMs: 60000 })));
    for (const s of started) if (s.status === "fulfilled") hubs.push(s.value);
    const failed = started.find((s) => s.status === "rejected");
    if (failed) throw failed.reason;
    if (o.withNginx ?? true) nginx = await startNginx({ upstreams: ports });
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
  return {
    db,
    hubs,
    get nginx() {
      return nginx;
    },
    env,
    connections: () => Promise.all(hubs.map((h) => metricValue(h.url, "pushhub_connections"))),
    stop,
  };
}
