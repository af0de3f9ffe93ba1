/** Where the test services are; override to run the suite elsewhere. */
export const TEST_PG_ADMIN_URL = process.env.TEST_PG_ADMIN_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
/** Must match config/test.ts. */
export const TEST_JWT_SECRET = "push-hub-dev-secret-not-for-production";
export const TEST_API_KEY = "dev-key";
