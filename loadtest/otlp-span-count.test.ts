import assert from "node:assert/strict";
import { test } from "node:test";
import { countSpans } from "./otlp-span-count.ts";

const varint = (n: number): number[] => {
  const out: number[] = [];
  for (; n >= 0x80; n = Math.floor(n / 128)) out.push((n % 128) | 0x80);
  out.push(n);
  return out;
};
/** A length-delimited field. */
const ld = (field: number, bytes: number[]): number[] => [...varint(field * 8 + 2), ...varint(bytes.length), ...bytes];
const span = (name: string) => ld(2, [...ld(5, [...Buffer.from(name)]), 0x40, 1 /* kind = 1 */, 0x39, 1, 2, 3, 4, 5, 6, 7, 8 /* start time */]);

test("counts the spans of a protobuf export over resources and scopes, skipping every other field", () => {
  const scope = (n: number) => ld(2, [...ld(1, [...ld(1, [...Buffer.from("scope")])]), ...Array.from({ length: n }, (_, i) => span(`s${i}`)).flat(), ...ld(3, [0x61])]);
  const resource = (...scopes: number[]) => ld(1, [...ld(1, [0x0a, 0]), ...scopes.flatMap(scope)]);
  const body = Uint8Array.from([...resource(3, 200), ...resource(1)]);
  assert.equal(countSpans(body, "application/x-protobuf"), 204);
  assert.equal(countSpans(new Uint8Array(), "application/x-protobuf"), 0);
});

test("counts the spans of a JSON export", () => {
  const body = JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{}, {}] }, { spans: [{}] }] }, { scopeSpans: [] }] });
  assert.equal(countSpans(Buffer.from(body), "application/json"), 3);
});
