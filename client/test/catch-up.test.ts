import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { startCatchUp } from "../src/catch-up.ts";
import { HubClientError } from "../src/hub-client-error.ts";
import { ResumePoint } from "../src/resume-point.ts";
import { SeenIds } from "../src/seen-ids.ts";
import type { Page } from "../src/sync-pages.ts";

type M = { id: string };
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

/** Pages of `size` after `since` from a fixed log — the paging rule, not a hub. */
const pager = (ids: string[], size: number) => async (since: string | null): Promise<Page<M>> => {
  const rest = ids.filter((id) => since === null || BigInt(id) > BigInt(since));
  const messages = rest.slice(0, size).map((id) => ({ id }));
  return { messages, next: rest.length > size ? messages.at(-1)!.id : null };
};

describe("startCatchUp", () => {
  it("delivers every page in order and marks the resume point caught up", async () => {
    const resume = new ResumePoint("1");
    const got: string[] = [];
    startCatchUp<M>({ resume, fetchPage: pager(["1", "2", "3", "4", "5"], 2), deliver: (m) => got.push(m.id), current: () => true, report: assert.fail, retry: {} });
    await settle();
    assert.deepEqual(got, ["2", "3", "4", "5"]);
    assert.equal(resume.since, "5");
    assert.equal(resume.caughtUp, true);
  });

  it("does not skip older pages when a newer live message arrives meanwhile", async () => {
    const resume = new ResumePoint("0");
    const seen = new SeenIds();
    const got: string[] = [];
    const deliver = (m: M) => seen.add(m.id) && got.push(m.id);
    const log = pager(["1", "2", "3", "4"], 1);
    startCatchUp<M>({
      resume,
      fetchPage: async (since) => {
        if (since === "1") {
          deliver({ id: "4" }); // live, while page 2 is in flight
          resume.live("4");
        }
        return log(since);
      },
      deliver,
      current: () => true,
      report: assert.fail,
      retry: {},
    });
    await settle();
    assert.deepEqual(got, ["1", "4", "2", "3"]);
    assert.equal(resume.since, "4");
  });

  it("stops without a report once its connection is gone, keeping the progress made", async () => {
    const resume = new ResumePoint("0");
    let connected = true;
    const log = pager(["1", "2", "3"], 1);
    const fetchPage = async (since: string | null) => {
      if (since === "1") connected = false;
      return log(since);
    };
    startCatchUp<M>({ resume, fetchPage, deliver: () => {}, current: () => connected, report: assert.fail, retry: {} });
    await settle();
    assert.equal(resume.since, "1");
    assert.equal(resume.caughtUp, false);
  });

  it("reports a failed page and retries it with backoff", async () => {
    const resume = new ResumePoint("0");
    const reports: string[] = [];
    const got: string[] = [];
    let calls = 0;
    const log = pager(["1", "2"], 5);
    startCatchUp<M>({
      resume,
      fetchPage: async (since) => {
        if (++calls === 1) throw new HubClientError("store_unavailable", "try again");
        return log(since);
      },
      deliver: (m) => got.push(m.id),
      current: () => true,
      report: (err) => reports.push(err.code),
      retry: { initialMs: 5 },
    });
    await settle();
    assert.deepEqual(reports, ["store_unavailable"]);
    assert.deepEqual(got, ["1", "2"]);
    assert.equal(resume.caughtUp, true);
  });

  it("can be cancelled before its retry", async () => {
    let calls = 0;
    const cancel = startCatchUp<M>({
      resume: new ResumePoint("0"),
      fetchPage: async () => {
        calls++;
        throw new HubClientError("store_unavailable", "try again");
      },
      deliver: () => {},
      current: () => true,
      report: () => {},
      retry: { initialMs: 5 },
    });
    await new Promise((resolve) => setTimeout(resolve, 1));
    cancel();
    await settle();
    assert.equal(calls, 1);
  });
});
