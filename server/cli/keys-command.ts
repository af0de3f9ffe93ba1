import { parseArgs } from "node:util";
import { parseDuration, type KeyInput } from "../api/validation/key-input.ts";

export type KeysCommand = { action: "create"; input: unknown } | { action: "list" } | { action: "revoke"; id: string } | { action: "help" };

export const KEYS_USAGE = `npm run keys -- create --name <name> --scopes publish,read[,manage,admin] [--uid-prefix <p>] [--topics "news:*,sport:*"] [--expires 90d] [--rate 500]
npm run keys -- list
npm run keys -- revoke <id>
(needs DATABASE_URL; the key is printed once, at creation)`;

/**
 * The command line of `npm run keys` as a command; the create input is left for keyInputSchema to check
 * (so the CLI and POST /api/keys refuse the same things). Throws an Error saying what is wrong.
 */
export function parseKeysCommand(argv: string[]): KeysCommand {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: "string" },
      scopes: { type: "string" },
      "uid-prefix": { type: "string" },
      topics: { type: "string" },
      expires: { type: "string" },
      rate: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  const [action, ...rest] = positionals;
  if (values.help || action === undefined || action === "help") return { action: "help" };
  if (action === "list" && rest.length === 0) return { action: "list" };
  if (action === "revoke") {
    if (rest.length !== 1) throw new Error("revoke takes one key id");
    return { action: "revoke", id: rest[0] as string };
  }
  if (action !== "create" || rest.length > 0) throw new Error(`unknown command: ${[action, ...rest].join(" ")}`);
  const input: Partial<Record<keyof KeyInput, unknown>> = { name: values.name, scopes: values.scopes?.split(",").map((s) => s.trim()) };
  if (values["uid-prefix"] !== undefined) input.uidPrefix = values["uid-prefix"];
  if (values.topics !== undefined) input.topics = values.topics.split(",").map((s) => s.trim());
  if (values.expires !== undefined) {
    const seconds = parseDuration(values.expires);
    if (seconds === null) throw new Error(`--expires ${values.expires}: use a number with s, m, h, d or w (90d)`);
    input.expiresInSeconds = seconds;
  }
  if (values.rate !== undefined) {
    if (!/^\d+$/.test(values.rate)) throw new Error(`--rate ${values.rate}: requests per second, a whole number`);
    input.ratePerSecond = Number(values.rate);
  }
  return { action: "create", input };
}
