import assert from "node:assert/strict";
import { test } from "node:test";
import { HoldingEnd, type EndRequest, type EndResult } from "../store/end-holdings.ts";
import type { Position } from "../store/record-positions.ts";
import type { SessionEnd } from "./session-deps.ts";
import { endRequestOf, writeEnd } from "./session-end.ts";

const position: Position = { uid: "u", firstSeq: 3n, ackedSeq: 5n, ackedId: 50n, sentSeq: 7n, attempt: 2, retryUpto: 6n };
const facts = (progressed: boolean, failures: number) => ({
  position,
  lease: 9n,
  grant: { failures, wakeSeq: 4n },
  progressed,
  to: null,
  backoffMs: (f: number) => f * 1000,
});

test("a backoff counts failures in a row: one more without progress, the first again after it", () => {
  assert.equal(endRequestOf(HoldingEnd.backoff, facts(false, 2)).failures, 3);
  assert.equal(endRequestOf(HoldingEnd.backoff, facts(false, 2)).delayMs, 3000);
  assert.equal(endRequestOf(HoldingEnd.backoff, facts(true, 2)).failures, 1);
});

test("other ends keep the count without progress, clear it with progress, and wait no delay", () => {
  const kept = endRequestOf(HoldingEnd.release, facts(false, 2));
  assert.equal(kept.failures, 2);
  assert.equal(kept.delayMs, 0);
  assert.equal(endRequestOf(HoldingEnd.transfer, facts(true, 2)).failures, 0);
});

test("the request carries the position, the lease and the grant's wake seq", () => {
  const r = endRequestOf(HoldingEnd.transfer, { ...facts(false, 0), to: "other" });
  assert.deepEqual(r, { ...position, lease: 9n, end: "transfer", delayMs: 0, failures: 0, wakeSeq: 4n, to: "other" });
});

const request = endRequestOf(HoldingEnd.release, facts(false, 0));

test("an end the store did not answer is tried again while the instance is alive", async () => {
  const answers: (EndResult | undefined | Error)[] = [undefined, new Error("down"), { state: "idle", lease: 9n, lastSeq: 7n }];
  const tries: EndRequest[] = [];
  const done = await new Promise<SessionEnd>((resolve) =>
    writeEnd(request, {
      end: async (r) => {
        tries.push(r);
        const a = answers.shift();
        if (a instanceof Error) throw a;
        return a;
      },
      canSend: () => true,
      done: resolve,
      later: (retry) => setImmediate(retry),
    }),
  );
  assert.equal(tries.length, 3);
  assert.equal(done.state, "idle");
});

test("once the instance may have lapsed an unanswered end gives the holding up without a write", async () => {
  let tries = 0;
  const done = await new Promise<SessionEnd>((resolve) =>
    writeEnd(request, {
      end: async () => (tries++, undefined),
      canSend: () => false,
      done: resolve,
      later: () => assert.fail("no retry once lapsed"),
    }),
  );
  assert.equal(tries, 1);
  assert.deepEqual(done, { state: "lapsed", lease: 9n, lastSeq: null });
});
