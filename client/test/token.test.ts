import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { HubClientError } from "../src/hub-client-error.ts";
import { authFrom } from "../src/token.ts";

const handshake = (auth: ReturnType<typeof authFrom>) =>
  new Promise<{ token?: string }>((resolve) =>
    auth(({ frames, ...rest }) => {
      assert.equal(frames, true, "every handshake asks for frames");
      resolve(rest);
    }),
  );

describe("authFrom", () => {
  it("sends a fixed token as is", async () => {
    assert.deepEqual(await handshake(authFrom("t0", assert.fail)), { token: "t0" });
  });

  it("asks a token function again for every handshake", async () => {
    let n = 0;
    const auth = authFrom(async () => `t${++n}`, assert.fail);
    assert.deepEqual(await handshake(auth), { token: "t1" });
    assert.deepEqual(await handshake(auth), { token: "t2" });
  });

  it("sends no token (so the hub answers unauthorized and the SDK retries) when the function fails", async () => {
    const errors: HubClientError[] = [];
    const cause = new Error("backend down");
    const throwing = authFrom(() => {
      throw cause;
    }, (err) => errors.push(err));
    const rejecting = authFrom(() => Promise.reject(cause), (err) => errors.push(err));
    const empty = authFrom(async () => "", (err) => errors.push(err));
    assert.deepEqual(await handshake(throwing), {});
    assert.deepEqual(await handshake(rejecting), {});
    assert.deepEqual(await handshake(empty), {});
    assert.deepEqual(errors.map((e) => e.code), ["token_failed", "token_failed", "token_failed"]);
    assert.equal(errors[0]?.cause, cause);
  });
});
