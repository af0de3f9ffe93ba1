import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TypedEmitter } from "../src/emitter.ts";

type Events = { count: number; name: string };

describe("TypedEmitter", () => {
  it("calls the listeners of an event with its payload until unsubscribed", () => {
    const emitter = new TypedEmitter<Events>(assert.fail);
    const got: number[] = [];
    const off = emitter.on("count", (n) => got.push(n));
    emitter.on("name", () => assert.fail("wrong event"));
    emitter.emit("count", 1);
    off();
    emitter.emit("count", 2);
    assert.deepEqual(got, [1]);
    assert.equal(emitter.has("count"), false);
    assert.equal(emitter.has("name"), true);
  });

  it("keeps going past a throwing listener and reports it", () => {
    const failures: [unknown, string][] = [];
    const emitter = new TypedEmitter<Events>((err, event) => failures.push([err, event]));
    const got: number[] = [];
    const boom = new Error("boom");
    emitter.on("count", () => {
      throw boom;
    });
    emitter.on("count", (n) => got.push(n));
    emitter.emit("count", 7);
    assert.deepEqual(got, [7]);
    assert.deepEqual(failures, [[boom, "count"]]);
  });

  it("lets a listener unsubscribe another during an emit without skipping it this time", () => {
    const emitter = new TypedEmitter<Events>(assert.fail);
    const got: string[] = [];
    let offB = () => {};
    emitter.on("name", () => (got.push("a"), offB()));
    offB = emitter.on("name", () => got.push("b"));
    emitter.emit("name", "x");
    emitter.emit("name", "y");
    assert.deepEqual(got, ["a", "b", "a"]);
  });

  it("drops every listener on clear", () => {
    const emitter = new TypedEmitter<Events>(assert.fail);
    emitter.on("count", () => assert.fail("cleared"));
    emitter.clear();
    emitter.emit("count", 1);
  });
});
