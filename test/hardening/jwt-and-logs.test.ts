// JWT handshake attacks against a hub process logging at debug level; then its whole log is searched
// for tokens, the JWT secret and API keys.
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { after, before, test } from "node:test";
import { SignJWT } from "jose";
import { freePort } from "../../loadtest/support/free-port.ts";
import { startHubProcess } from "../../loadtest/support/hub-process.ts";
import type { ServiceProcess } from "../../loadtest/support/service-process.ts";
import { connectClient, signToken } from "../support/client.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { TEST_API_KEY, TEST_JWT_SECRET, TEST_REDIS_URL } from "../support/env.ts";
import { api } from "../support/http.ts";
import { startTestHub, uniquePrefix } from "../support/test-hub.ts";

let db: TestDatabase;
let hub: ServiceProcess;
let log = "";
const secrets: string[] = [TEST_JWT_SECRET];

before(async () => {
  db = await createTestDatabase("jwt");
  hub = await startHubProcess(await freePort(), { DATABASE_URL: db.url, LOG_LEVEL: "debug", REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: uniquePrefix() });
  const collect = (d: Buffer) => void (log += d.toString());
  hub.child.stdout?.on("data", collect);
  hub.child.stderr?.on("data", collect);
});

after(async () => {
  await hub?.stop();
  await db?.drop();
});

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
const key = new TextEncoder().encode(TEST_JWT_SECRET);
const now = () => Math.floor(Date.now() / 1000);
const hs = (claims: Record<string, unknown>, header: Record<string, unknown> = { alg: "HS256" }, k: Uint8Array = key) =>
  new SignJWT(claims).setProtectedHeader(header as { alg: string }).sign(k);

async function refused(token: string, label: string) {
  secrets.push(token);
  await assert.rejects(
    connectClient(hub.url, "victim", { token }),
    (e: Error & { data?: { code?: string } }) => e.message === "unauthorized" && e.data?.code === "unauthorized",
    label,
  );
}

test("every forged, stale or malformed token → connect_error unauthorized", async () => {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const pem = publicKey.export({ type: "spki", format: "pem" }) as string;
  const cases: [string, Promise<string> | string][] = [
    ["alg none", `${b64({ alg: "none", typ: "JWT" })}.${b64({ sub: "victim", exp: now() + 600 })}.`],
    ["alg none, signature kept", `${b64({ alg: "none" })}.${b64({ sub: "victim", exp: now() + 600 })}.${(await signToken("victim")).split(".")[2]}`],
    ["wrong secret", signToken("victim", "another-secret-of-enough-length")],
    ["RS256", new SignJWT({ sub: "victim", exp: now() + 600 }).setProtectedHeader({ alg: "RS256" }).sign(privateKey)],
    ["HS256 keyed with the RSA public key (RS/HS confusion)", hs({ sub: "victim", exp: now() + 600 }, { alg: "HS256" }, new TextEncoder().encode(pem))],
    ["HS512 with the right secret", hs({ sub: "victim", exp: now() + 600 }, { alg: "HS512" })],
    ["expired", hs({ sub: "victim", exp: now() - 10 })],
    ["exp 100 years ahead (past HUB_JWT_MAX_TTL)", hs({ sub: "victim", exp: now() + 100 * 365 * 86_400 })],
    ["exp 1e300", hs({ sub: "victim", exp: 1e300 })],
    ["not yet valid (nbf)", hs({ sub: "victim", exp: now() + 600, nbf: now() + 300 })],
    ["no exp", hs({ sub: "victim" })],
    ["no sub", hs({ exp: now() + 600 })],
    ["numeric sub", hs({ sub: 42, exp: now() + 600 })],
    ["object sub", hs({ sub: { uid: "victim" }, exp: now() + 600 })],
    ["empty sub", hs({ sub: "", exp: now() + 600 })],
    ["sub of 129 characters", hs({ sub: "v".repeat(129), exp: now() + 600 })],
    ["sub with NUL", hs({ sub: "vic\u0000tim", exp: now() + 600 })],
    ["oversized token", hs({ sub: "victim", exp: now() + 600, pad: "x".repeat(5000) })],
    ["tampered payload", (async () => { const [h, , s] = (await signToken("mallory")).split("."); return `${h}.${b64({ sub: "victim", exp: now() + 600 })}.${s}`; })()],
    ["garbage", "not.a.jwt"],
  ];
  for (const [label, token] of cases) await refused(await token, label);
  const ok = await connectClient(hub.url, "victim");
  ok.close();
});

test("API keys: wrong ones refused; neither keys nor tokens nor the secret ever reach the log", async () => {
  const wrong = "wrong-key-that-must-not-be-logged";
  secrets.push(wrong, TEST_API_KEY);
  assert.equal((await api(hub.url, "POST", "/api/messages", { uid: "u", msg: 1 }, { authorization: `Bearer ${wrong}` })).status, 401);
  assert.equal((await api(hub.url, "POST", "/message", { uid: "u", msg: 1 }, { authorization: `Bearer ${wrong}` })).status, 401);
  const dev = await api(hub.url, "POST", "/api/dev/token", { uid: "logged" });
  assert.equal(dev.status, 200);
  secrets.push(dev.body.token);
  const c = await connectClient(hub.url, "logged", { token: dev.body.token });
  c.close();
  await new Promise((r) => setTimeout(r, 300));
  const all = hub.output() + log;
  assert.ok(/"level":\d+/.test(all), "the hub's log was captured");
  for (const s of secrets) assert.ok(!all.includes(s), `the log contains a secret (${s.slice(0, 12)}…)`);
});

test("HUB_JWT_AUDIENCE and HUB_JWT_ISSUER: tokens without them, or with others, are refused", async () => {
  const audDb = await createTestDatabase("jwt-aud");
  const env = { HUB_JWT_AUDIENCE: "push-hub", HUB_JWT_ISSUER: "https://auth.example.com" };
  const strict = await startTestHub(audDb.url, env);
  try {
    const claims = { sub: "victim", exp: now() + 600 };
    for (const [label, token] of [
      ["neither", hs(claims)],
      ["another audience", hs({ ...claims, aud: "other-service", iss: env.HUB_JWT_ISSUER })],
      ["another issuer", hs({ ...claims, aud: env.HUB_JWT_AUDIENCE, iss: "https://evil.example.com" })],
    ] as const) {
      await assert.rejects(connectClient(strict.url, "victim", { token: await token }), (e: Error) => e.message === "unauthorized", label);
    }
    const ok = await connectClient(strict.url, "victim", { token: await hs({ ...claims, aud: env.HUB_JWT_AUDIENCE, iss: env.HUB_JWT_ISSUER }) });
    ok.close();
  } finally {
    await strict.stop();
    await audDb.drop();
  }
});
