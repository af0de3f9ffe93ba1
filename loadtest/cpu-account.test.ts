import assert from "node:assert/strict";
import { test } from "node:test";
import { createCpuAccount, groupCpu } from "./cpu-account.ts";

const reading = (pid: number, cpuTicks: number, startTicks: number, group = "postgres") => ({ pid, group, label: `p${pid}`, cpuTicks, startTicks });

test("a process running before the window counts from its first reading, a new one from zero", () => {
  const account = createCpuAccount({ windowStartTicks: 1000, hz: 100 });
  account.observe(reading(1, 500, 10)); // old backend: 5 s used before the window
  account.observe(reading(1, 650, 10));
  account.observe(reading(2, 30, 1200)); // started inside the window, first seen with 0.3 s used
  account.observe(reading(2, 80, 1200));
  const byPid = new Map(account.processes().map((p) => [p.pid, p]));
  assert.equal(byPid.get(1)?.cpuSec, 1.5);
  assert.equal(byPid.get(1)?.bornInWindow, false);
  assert.equal(byPid.get(2)?.cpuSec, 0.8);
  assert.equal(byPid.get(2)?.bornInWindow, true);
});

test("a reused pid is another process; an exited one keeps its last reading", () => {
  const account = createCpuAccount({ windowStartTicks: 1000, hz: 100 });
  account.observe(reading(7, 100, 900));
  account.observe(reading(7, 140, 900)); // then it exits
  account.observe(reading(7, 20, 1500)); // the pid again, a new process
  const list = account.processes();
  assert.deepEqual(list.map((p) => p.cpuSec).sort(), [0.2, 0.4]);
});

test("readings never count backwards, and groups sum in order of appearance", () => {
  const account = createCpuAccount({ windowStartTicks: 0, hz: 100 });
  account.observe(reading(1, 0, 5, "server"));
  account.observe(reading(1, 200, 5, "server"));
  account.observe(reading(1, 150, 5, "server"));
  account.observe(reading(2, 100, 5, "postgres"));
  account.observe(reading(3, 50, 5, "postgres"));
  assert.deepEqual(groupCpu(account.processes()), [
    { group: "server", processes: 1, cpuSec: 2 },
    { group: "postgres", processes: 2, cpuSec: 1.5 },
  ]);
});
