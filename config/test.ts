import type { ConfigInput } from "../server/config/config-schema.ts";

const test: ConfigInput = {
  jwtSecret: "push-hub-dev-secret-not-for-production",
  apiKeys: ["dev-key"],
  webhookAllowPrivate: true,
  logLevel: "warn",
  // Off so load tests and suites that publish fast are not throttled; the hardening tests turn it on.
  rateLimitPerSecond: 0,
};

export default test;
