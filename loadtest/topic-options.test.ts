import assert from "node:assert/strict";
import { test } from "node:test";
import { directSecondsBound, parseTopicOptions, topicSourceAddresses, topicWorkerCount } from "./topic-options.ts";

test("defaults: 100,000 subscribers, 5,000 online, 200 msgs/s direct to 200 users for 5 s before, one publish", () => {
  const o = parseTopicOptions([]);
  assert.equal(o.subscribers, 100_000);
  assert.equal(o.online, 5000);
  assert.equal(o.directRate, 200);
  assert.equal(o.directUsers, 200);
  assert.equal(o.directBeforeSec, 5);
  assert.equal(o.publishes, 1);
  assert.equal(o.quiet, false);
  assert.equal(o.outDir, "loadtest/results");
});

test("flags land in their fields", () => {
  const o = parseTopicOptions(["--subscribers", "20000", "--online", "500", "--direct-rate", "0", "--direct-before", "2", "--publishes", "3", "--quiet", "--no-report", "--hub-env", "TOPIC_FANOUT_CHUNK=5000"]);
  assert.deepEqual(
    { s: o.subscribers, k: o.online, r: o.directRate, b: o.directBeforeSec, p: o.publishes, q: o.quiet, out: o.outDir, env: o.hubEnv },
    { s: 20_000, k: 500, r: 0, b: 2, p: 3, q: true, out: null, env: { TOPIC_FANOUT_CHUNK: "5000" } },
  );
});

test("bad options are refused with the field named", () => {
  assert.throws(() => parseTopicOptions(["--subscribers", "1000001"]), /subscribers/);
  assert.throws(() => parseTopicOptions(["--subscribers", "0"]), /subscribers/);
  assert.throws(() => parseTopicOptions(["--subscribers", "many"]), /subscribers/);
  assert.throws(() => parseTopicOptions(["--subscribers", "1000", "--online", "2000"]), /online/);
  assert.throws(() => parseTopicOptions(["--online", "19001", "--subscribers", "20000"]), /online/);
  assert.throws(() => parseTopicOptions(["--online", "18900", "--subscribers", "20000", "--direct-users", "200"]), /directUsers/);
  assert.throws(() => parseTopicOptions(["--subscribers", "1000000", "--publishes", "6"]), /publishes/);
  assert.throws(() => parseTopicOptions(["--direct-rate=-1"]), /directRate/);
  assert.throws(() => parseTopicOptions(["--client-protocol", "smoke-signals"]), /clientProtocol/);
  assert.throws(() => parseTopicOptions(["--no-such-flag"]), /no-such-flag/);
  assert.throws(() => parseTopicOptions(["--online"]), /online/);
});

test("the direct traffic is bounded by its rate × its longest possible duration", () => {
  assert.throws(() => parseTopicOptions(["--direct-rate", "10000", "--publishes", "100", "--fan-out-timeout", "1800"]), /directRate/);
  const o = parseTopicOptions([]);
  assert.equal(directSecondsBound(o), 5 + 1 * (300 + 30 + 5) + 30);
});

test("client workers and source addresses scale with the online clients unless given", () => {
  assert.equal(topicWorkerCount({ workers: 0, online: 5000 }), 1);
  assert.equal(topicWorkerCount({ workers: 0, online: 5001 }), 2);
  assert.equal(topicWorkerCount({ workers: 0, online: 19_000 }), 4);
  assert.equal(topicWorkerCount({ workers: 3, online: 2 }), 2);
  assert.equal(topicSourceAddresses({ sourceAddresses: -1, online: 5000 }), 5);
  assert.equal(topicSourceAddresses({ sourceAddresses: -1, online: 1 }), 1);
  assert.equal(topicSourceAddresses({ sourceAddresses: 0, online: 5000 }), 0);
});
