import assert from "node:assert/strict";
import { test } from "node:test";
import type { NewMessage } from "../../store/new-message.ts";
import { requestHash } from "./request-hash.ts";

const m = (over: Partial<NewMessage> = {}): NewMessage => ({
  uid: "u",
  msg: { a: 1 },
  body: '{"a":1}',
  bytes: 7,
  type: 4,
  clientType: 0,
  ttlSeconds: null,
  expiresAt: null,
  ...over,
});

test("the same content hashes alike whenever it arrives; any field change differs", () => {
  assert.equal(requestHash([m({ expiresAt: new Date(1) })]), requestHash([m({ expiresAt: new Date(2) })]));
  const base = requestHash([m()]);
  for (const change of [{ uid: "v" }, { body: '{"a":2}' }, { type: 5 }, { clientType: 1 }, { ttlSeconds: 60 }]) {
    assert.notEqual(requestHash([m(change)]), base, JSON.stringify(change));
  }
  assert.notEqual(requestHash([m(), m()]), base);
});
