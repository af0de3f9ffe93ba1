import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ResumePoint } from "../src/resume-point.ts";

describe("ResumePoint", () => {
  it("starts where the app left off", () => {
    assert.equal(new ResumePoint(null).since, null);
    assert.equal(new ResumePoint("42").since, "42");
  });

  it("ignores live messages until the catch-up has finished", () => {
    const resume = new ResumePoint("10");
    resume.live("500"); // arrived while older pages are still being read
    assert.equal(resume.since, "10");
    resume.paged("100");
    assert.equal(resume.since, "100");
    resume.markCaughtUp();
    resume.live("501");
    assert.equal(resume.since, "501");
  });

  it("stops following live messages when the connection is lost", () => {
    const resume = new ResumePoint("10");
    resume.markCaughtUp();
    resume.live("11");
    resume.markLost();
    resume.live("12"); // a straggler: the next catch-up must still start at 11
    assert.equal(resume.since, "11");
    assert.equal(resume.caughtUp, false);
  });

  it("never moves backwards", () => {
    const resume = new ResumePoint("50");
    resume.paged("20");
    resume.paged(null);
    resume.markCaughtUp();
    resume.live("3");
    assert.equal(resume.since, "50");
  });
});
