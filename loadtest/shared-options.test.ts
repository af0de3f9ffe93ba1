import assert from "node:assert/strict";
import { test } from "node:test";
import { parseBacklogOptions } from "./backlog-options.ts";
import { parseCliOptions } from "./cli-options.ts";

test("--hub-node-flag: repeatable Node flags for the hubs only, given as --hub-node-flag=--flag[=value]", () => {
  const o = parseCliOptions(["--hub-node-flag=--cpu-prof", "--hub-node-flag=--cpu-prof-dir=/tmp/prof", "--hub-env", "DRAIN_BATCH=100"]);
  assert.deepEqual(o.hubNodeFlags, ["--cpu-prof", "--cpu-prof-dir=/tmp/prof"]);
  assert.deepEqual(o.hubEnv, { DRAIN_BATCH: "100" });
  assert.deepEqual(parseCliOptions([]).hubNodeFlags, []);
  assert.deepEqual(parseBacklogOptions(["--hub-node-flag=--heap-prof"]).hubNodeFlags, ["--heap-prof"]);
});

test("--hub-node-flag refuses what is not a flag", () => {
  assert.throws(() => parseCliOptions(["--hub-node-flag=cpu-prof"]), /hubNodeFlags/);
  assert.throws(() => parseCliOptions(["--hub-node-flag=--cpu-prof; rm -rf /"]), /hubNodeFlags/);
});
