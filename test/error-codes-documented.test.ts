// The error vocabulary (client/src/error-codes.ts) is the contract: every code the hub can answer with
// is explained to producers and devices in docs/api.md, every SDK code in the SDK's README, and the
// docs name no code the table does not have.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { HUB_ERROR_CODES, errorCodesOver } from "../client/src/error-codes.ts";
import { HTTP_ERRORS } from "../server/errors/error-codes.ts";
import { repoRoot } from "../loadtest/support/repo-root.ts";

const read = (path: string) => readFileSync(join(repoRoot, path), "utf8");

/** The codes in the first column of markdown table rows like "| 400 | `invalid_json` | …" or "| `rate_limited` | …". */
function tableCodes(markdown: string): Set<string> {
  const codes = new Set<string>();
  for (const line of markdown.split("\n")) {
    const cells = line.trim().replace(/^\|/, "").split("|").map((c) => c.trim());
    for (const cell of cells.slice(0, 2)) for (const m of cell.matchAll(/`([a-z]+(?:_[a-z0-9]+)+|[a-z]+)`/g)) codes.add(m[1]!);
  }
  return codes;
}

test("every code the hub answers with is documented in docs/api.md, and the HTTP table is the statuses' only source", () => {
  const api = read("docs/api.md");
  const documented = tableCodes(api);
  for (const code of [...errorCodesOver("http"), ...errorCodesOver("socket")]) assert.ok(documented.has(code), `docs/api.md documents ${code}`);
  for (const code of errorCodesOver("connect")) assert.match(api, new RegExp(`"${code}"`), `docs/api.md names the connect_error ${code}`);
  assert.deepEqual(Object.keys(HTTP_ERRORS).sort(), errorCodesOver("http").sort(), "each HTTP code has exactly one status");
});

test("the error tables of docs/api.md name no code outside the vocabulary", () => {
  const api = read("docs/api.md");
  const sections = api.split(/\n(?=#+ )/).filter((s) => /^#+ Errors|Socket error codes/m.test(s));
  assert.ok(sections.length > 0);
  for (const section of sections) {
    for (const line of section.split("\n").filter((l) => /^\s*\| (\d{3} \| )?`/.test(l))) {
      const code = /`([a-z_0-9]+)`/.exec(line)![1]!;
      if (code === "code") continue; // the header row
      assert.ok(code in HUB_ERROR_CODES, `${code} (docs/api.md) is in HUB_ERROR_CODES`);
    }
  }
});

test("every code the SDK raises itself is explained in its README", () => {
  const readme = read("client/README.md");
  for (const code of errorCodesOver("sdk")) assert.match(readme, new RegExp(`\`${code}\``), code);
});
