import assert from "node:assert/strict";
import { test } from "node:test";
import { commandDelta, infoField, parseCommandStats } from "./redis-commandstats.ts";

const before = `# Commandstats\r
cmdstat_publish:calls=100,usec=900,usec_per_call=9.00,rejected_calls=0,failed_calls=0\r
cmdstat_info:calls=3,usec=300,usec_per_call=100.00,rejected_calls=0,failed_calls=0\r
cmdstat_client|setname:calls=2,usec=4,usec_per_call=2.00,rejected_calls=0,failed_calls=0\r
`;
const after = `# Commandstats
cmdstat_publish:calls=1100,usec=9900,usec_per_call=9.00,rejected_calls=0,failed_calls=0
cmdstat_info:calls=4,usec=400,usec_per_call=100.00,rejected_calls=0,failed_calls=0
cmdstat_client|setname:calls=2,usec=4,usec_per_call=2.00,rejected_calls=0,failed_calls=0
cmdstat_evalsha:calls=250,usec=5000,usec_per_call=20.00,rejected_calls=0,failed_calls=1
`;

test("commandstats lines parse into calls and usec per command, subcommands included", () => {
  const stats = parseCommandStats(before);
  assert.deepEqual(stats.get("publish"), { calls: 100, usec: 900 });
  assert.deepEqual(stats.get("client|setname"), { calls: 2, usec: 4 });
  assert.equal(stats.size, 3);
  assert.equal(parseCommandStats("# Commandstats\n").size, 0);
});

test("the delta lists what ran in between, most calls first, without excluded or idle commands", () => {
  assert.deepEqual(commandDelta(parseCommandStats(before), parseCommandStats(after), ["info"]), [
    { command: "publish", calls: 1000, usec: 9000 },
    { command: "evalsha", calls: 250, usec: 5000 },
  ]);
});

test("a count that went down (CONFIG RESETSTAT in between) counts from zero", () => {
  const reset = parseCommandStats("cmdstat_publish:calls=7,usec=70,usec_per_call=10.00");
  assert.deepEqual(commandDelta(parseCommandStats(before), reset), [{ command: "publish", calls: 7, usec: 70 }]);
});

test("single INFO fields are found by exact name", () => {
  const server = "# Server\r\nredis_version:7.0.15\r\nprocess_id:2230\r\nprocess_supervised:no\r\n";
  assert.equal(infoField(server, "process_id"), "2230");
  assert.equal(infoField(server, "process"), undefined);
});
