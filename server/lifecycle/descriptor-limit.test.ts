import assert from "node:assert/strict";
import { test } from "node:test";
import { parseOpenFilesLimit } from "./descriptor-limit.ts";

test("the soft limit of /proc/<pid>/limits", () => {
  const limits = [
    "Limit                     Soft Limit           Hard Limit           Units     ",
    "Max processes             63413                63413                processes ",
    "Max open files            20000                1048576              files     ",
    "Max locked memory         8388608              8388608              bytes     ",
  ].join("\n");
  assert.equal(parseOpenFilesLimit(limits), 20000);
  assert.equal(parseOpenFilesLimit(limits.replace("20000 ", "unlimited")), null);
  assert.equal(parseOpenFilesLimit("nothing here"), null);
});
