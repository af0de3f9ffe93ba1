import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { test } from "node:test";
import { INSPECT_FLAG, inspectorUrlOf, liveHeapBytes, summarizeLiveHeap } from "./live-heap.ts";

test("the inspector URL is found in a process's output", () => {
  const out = "starting\nDebugger listening on ws://127.0.0.1:40123/0f1e2d3c-aaaa-bbbb-cccc-111122223333\nFor help, see: https://nodejs.org/en/docs/inspector\n";
  assert.equal(inspectorUrlOf(out), "ws://127.0.0.1:40123/0f1e2d3c-aaaa-bbbb-cccc-111122223333");
  assert.equal(inspectorUrlOf("no inspector here"), undefined);
});

test("per connection is the growth of live heap over the clients", () => {
  assert.deepEqual(summarizeLiveHeap(50e6, 150e6, 10_000), { beforeMB: 50, connectedMB: 150, clients: 10_000, perConnectionKB: 10 });
});

test("a real process: live heap after collection, and it sees 20 MB the process keeps", async () => {
  const script = "globalThis.kept = []; process.on('message', () => { for (let i = 0; i < 20; i++) globalThis.kept.push(new Array(131072).fill(i)); process.send('done'); });";
  const child = spawn(process.execPath, [INSPECT_FLAG, "-e", script], { stdio: ["ignore", "ignore", "pipe", "ipc"] });
  try {
    let err = "";
    const url = await new Promise<string>((resolve) => child.stderr?.on("data", (d: Buffer) => { err += d.toString(); const u = inspectorUrlOf(err); if (u) resolve(u); }));
    const before = await liveHeapBytes(url);
    await new Promise((resolve) => { child.once("message", resolve); child.send("grow"); });
    const after = await liveHeapBytes(url);
    // 20 arrays of 131,072 small integers: ~1 MB each
    assert.ok(after - before > 15e6, `grew by ${after - before} bytes`);
  } finally {
    child.kill();
  }
});
