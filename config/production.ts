import type { ConfigInput } from "../server/config/config-schema.ts";

// Secrets (DATABASE_URL, HUB_JWT_SECRET, HUB_API_KEYS) come only from the environment.
const production: ConfigInput = {
  logLevel: "info",
  demo: false,
};

export default production;
