import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HubClientError } from "../src/hub-client-error.ts";
import { readPages, type Page } from "../src/sync-pages.ts";

/** A message log as pages of `size` after `since` — the paging rule, not a hub. */
function pagesOf(ids: string[], size: number) {
  const asked: (string | null)[] = [];
  const fetchPage = async (since: string | null): Promise<Page<{ id: string }>> => {
    asked.push(since);
    const rest = ids.filter((id) => since === null || BigInt(id) > BigInt(since));
    const messages = rest.slice(0, size).map((id) => ({ id }));
    return { messages, next: rest.length > size ? messages.at(-1)!.id : null };
  };
  return { asked, fetchPage };
}

describe("readPages", () => {
  it("reads every page, oldest first, following next until null", async () => {
    const log = pagesOf(["3", "5", "8", "13", "21"], 2);
    const got: string[] = [];
    const cursor = await readPages("1", log.fetchPage, (messages) => (got.push(...messages.map((m) => m.id)), true));
    assert.deepEqual(got, ["3", "5", "8", "13", "21"]);
    assert.deepEqual(log.asked, ["1", "5", "13"]);
    assert.equal(cursor, "21");
  });

  it("hands each page the cursor it reached", async () => {
    const log = pagesOf(["3", "5", "8"], 2);
    const cursors: (string | null)[] = [];
    await readPages(null, log.fetchPage, (_, cursor) => (cursors.push(cursor), true));
    assert.deepEqual(cursors, ["5", "8"]);
  });

  it("keeps the starting point when there is nothing new", async () => {
    const log = pagesOf(["3"], 2);
    assert.equal(await readPages("3", log.fetchPage, () => true), "3");
    assert.equal(await readPages(null, pagesOf([], 2).fetchPage, () => true), null);
  });

  it("stops when the page handler says so", async () => {
    const log = pagesOf(["1", "2", "3", "4", "5"], 1);
    let pages = 0;
    const cursor = await readPages(null, log.fetchPage, () => ++pages < 2);
    assert.equal(pages, 2);
    assert.equal(cursor, "2");
  });

  it("moves to next even when a page is empty (hidden messages)", async () => {
    const pages: Page<{ id: string }>[] = [
      { messages: [], next: "10" },
      { messages: [{ id: "11" }], next: null },
    ];
    const got: string[] = [];
    const cursor = await readPages("4", async () => pages.shift()!, (m) => (got.push(...m.map((x) => x.id)), true));
    assert.deepEqual(got, ["11"]);
    assert.equal(cursor, "11");
  });

  it("refuses a next that does not move forward instead of looping", async () => {
    await assert.rejects(
      readPages("7", async () => ({ messages: [], next: "7" }), () => true),
      (err: unknown) => err instanceof HubClientError && err.code === "invalid_reply",
    );
  });
});
