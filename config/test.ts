import type { ConfigInput } from "../server/config/config-schema.ts";

const test: ConfigInput = {
  jwtSecret: "push-hub-dev-secret-not-for-production",
  apiKeys: ["dev-key"],
  logLevel: "warn",
};

export default test;
