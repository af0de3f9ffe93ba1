import { createThrowawayDatabase, type ThrowawayDatabase } from "../../loadtest/support/throwaway-database.ts";
import { TEST_PG_ADMIN_URL } from "./env.ts";

export type TestDatabase = ThrowawayDatabase;

/** A fresh database per test file on the suite's server (TEST_PG_ADMIN_URL), migrated as production is. */
export function createTestDatabase(label = "t"): Promise<TestDatabase> {
  return createThrowawayDatabase({ adminUrl: TEST_PG_ADMIN_URL, label });
}
