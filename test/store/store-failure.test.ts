import assert from "node:assert/strict";
import { createServer } from "node:net";
import { after, test } from "node:test";
import { Prisma } from "../../server/generated/prisma/client.ts";
import { createDatabase } from "../../server/store/prisma.ts";
import { classifyStoreFailure, sqlStateOf } from "../../server/store/store-failure.ts";
import { TEST_PG_ADMIN_URL } from "../support/env.ts";

// The hub sends most statements through Prisma and its hot ones through pg directly (server/store/sql-runner.ts):
// a failure must be read the same way from either.
const database = createDatabase({ url: TEST_PG_ADMIN_URL, poolSize: 1, preparedStatements: true });
after(() => database.end());

const failure = (p: Promise<unknown>) => p.then(() => assert.fail("the statement should have failed"), (e: unknown) => e);

test("a statement PostgreSQL rejects: its SQLSTATE, rolled back — through Prisma and through pg", async () => {
  const viaPrisma = await failure(database.db.$queryRaw`SELECT 1 / ${0}::int`);
  const viaPg = await failure(database.sql(Prisma.sql`SELECT 1 / ${0}::int`));
  for (const error of [viaPrisma, viaPg]) {
    assert.equal(sqlStateOf(error), "22012");
    assert.equal(classifyStoreFailure(error), "rolled_back");
  }
});

test("a database nobody listens on: not sent — through Prisma and through pg", async () => {
  const closed = await new Promise<number>((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
  const url = new URL(TEST_PG_ADMIN_URL);
  url.port = String(closed);
  const away = createDatabase({ url: url.toString(), poolSize: 1, preparedStatements: true });
  try {
    const viaPrisma = await failure(away.db.$queryRaw`SELECT 1`);
    const viaPg = await failure(away.sql(Prisma.sql`SELECT 1`));
    for (const error of [viaPrisma, viaPg]) {
      assert.equal(sqlStateOf(error), undefined);
      assert.equal(classifyStoreFailure(error), "not_sent");
    }
  } finally {
    await away.end();
  }
});

test("the runner returns pg's rows: int8 as text, arrays as arrays, timestamptz as Date; a prepared statement runs again", async () => {
  for (let i = 0; i < 2; i++) {
    const [row] = await database.sql<{ ids: string[]; names: string[]; at: Date }>(
      Prisma.sql`SELECT ${["9007199254740993", "2"]}::bigint[] AS ids, ${["a,b", 'q"u\\o', "NULL", null]}::text[] AS names, now() AS at`,
    );
    assert.deepEqual(row?.ids, ["9007199254740993", "2"]);
    assert.deepEqual(row?.names, ["a,b", 'q"u\\o', "NULL", null]);
    assert.ok(row?.at instanceof Date);
  }
});
