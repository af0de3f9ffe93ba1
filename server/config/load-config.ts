import defaults from "../../config/default.ts";
import development from "../../config/development.ts";
import production from "../../config/production.ts";
import test from "../../config/test.ts";
import { ConfigError } from "./config-error.ts";
import { configSchema, type Config, type ConfigInput } from "./config-schema.ts";
import { envVarOf, envVars } from "./env-vars.ts";
import { checkExposure, developmentOrigins } from "./exposure.ts";

const environments = { development, test, production } as const;
type EnvName = keyof typeof environments;

/**
 * defaults ← config/<NODE_ENV>.ts ← environment variables (empty ones count as unset), validated once.
 * Throws ConfigError naming every bad key.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const name = (env.NODE_ENV || "development") as EnvName;
  if (!(name in environments)) {
    throw new ConfigError([`NODE_ENV: must be one of development, test, production (got "${name}")`]);
  }
  const merged: Record<string, unknown> = { ...defaults, ...environments[name], env: name, devToken: false };
  for (const [variable, key] of Object.entries(envVars)) {
    const value = env[variable];
    if (value !== undefined && value !== "") merged[key] = value;
  }
  const problems: string[] = [];
  if (name === "production") {
    for (const required of ["DATABASE_URL", "HUB_JWT_SECRET", "HUB_API_KEYS"] as const) {
      if (!env[required]) problems.push(`${required}: required in production`);
    }
  }
  const parsed = configSchema.safeParse(merged satisfies ConfigInput);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = envVarOf(String(issue.path[0] ?? ""));
      const line = `${key}: ${issue.message}`;
      if (!problems.some((p) => p.startsWith(`${key}:`))) problems.push(line);
    }
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  const explicit = (variable: string) => env[variable] !== undefined && env[variable] !== "";
  const exposure = checkExposure(parsed.data, explicit);
  if (exposure.problems.length > 0) throw new ConfigError(exposure.problems);
  const config = { ...parsed.data, devToken: exposure.devToken, demo: exposure.demo };
  if (name === "development" && !explicit("ALLOWED_ORIGINS")) config.allowedOrigins = developmentOrigins(config.port);
  return config;
}
