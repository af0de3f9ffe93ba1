// `npm run keys -- create|list|revoke …`: database API keys from the command line (the same as
// POST/GET/DELETE /api/keys). Production: `node dist/server/cli/keys.js …`.
import { existsSync } from "node:fs";
import { createApiKey, toApiKeyView } from "../api/keys/create-api-key.ts";
import { keyInputSchema } from "../api/validation/key-input.ts";
import { describeIssues } from "../api/validation/parse-message.ts";
import { listApiKeys, revokeApiKey } from "../store/api-keys.ts";
import { createDatabase } from "../store/prisma.ts";
import { KEYS_USAGE, parseKeysCommand } from "./keys-command.ts";

const fail = (message: string): never => {
  process.stderr.write(`push-hub keys: ${message}\n`);
  process.exit(1);
};

if (existsSync(".env")) process.loadEnvFile(".env");
let command: ReturnType<typeof parseKeysCommand>;
try {
  command = parseKeysCommand(process.argv.slice(2));
} catch (err) {
  command = fail(`${(err as Error).message}\n${KEYS_USAGE}`);
}
if (command.action === "help") {
  process.stdout.write(`${KEYS_USAGE}\n`);
  process.exit(0);
}
const url = process.env.DATABASE_URL;
if (!url) fail("DATABASE_URL is not set (a hub on its embedded database manages keys over HTTP: POST /api/keys with a HUB_API_KEYS key)");
const database = createDatabase({ url: url as string, poolSize: 1, preparedStatements: false });
const { db } = database;
try {
  if (command.action === "create") {
    const parsed = keyInputSchema.safeParse(command.input);
    if (!parsed.success) fail(describeIssues(parsed.error.issues, "").map((i) => `${i.path || "input"}: ${i.message}`).join("; "));
    const created = await createApiKey(db, parsed.data!);
    process.stdout.write(`${JSON.stringify(created, null, 2)}\nThe key is shown only this once: store it now.\n`);
  } else if (command.action === "list") {
    process.stdout.write(`${JSON.stringify((await listApiKeys(db)).map(toApiKeyView), null, 2)}\n`);
  } else {
    const valid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(command.id);
    const revoked = valid ? await revokeApiKey(db, command.id) : null;
    if (revoked === null) fail(`no API key ${command.id}`);
    process.stdout.write(`${JSON.stringify(toApiKeyView(revoked!), null, 2)}\n`);
  }
} catch (err) {
  fail((err as Error).message);
} finally {
  await database.end();
}
