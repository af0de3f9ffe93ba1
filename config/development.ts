import type { ConfigInput } from "../server/config/config-schema.ts";

const development: ConfigInput = {
  jwtSecret: "push-hub-dev-secret-not-for-production",
  apiKeys: ["dev-key"],
  webhookAllowPrivate: true,
  demo: true,
  logLevel: "info",
  logFormat: "pretty",
};

export default development;
